package org.cvmfs.suite.protocol.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.manifest.KeyDirectory;

/**
 * The gateway's access configuration, {@code /etc/cvmfs/gateway/repo.json}: which keys exist
 * (and which are admin keys), and for each repository which key may lease below which path.
 * Both upstream dialects are read: version 1 (path restriction on the key, {@code repo_subpath})
 * and version 2 (restriction per repository and key). A repository given as a bare name takes
 * its key from {@code <keys dir>/<name>.gw} with path {@code /}.
 *
 * @param keys         key id to key and admin flag
 * @param repositories repository name to (key id to allowed path), in file order
 */
public record GatewayRepoConfig(Map<String, KeyEntry> keys, Map<String, Map<String, String>> repositories) {

    public GatewayRepoConfig {
        keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
        Map<String, Map<String, String>> copy = new LinkedHashMap<>();
        repositories.forEach((name, k) -> copy.put(name, Collections.unmodifiableMap(new LinkedHashMap<>(k))));
        repositories = Collections.unmodifiableMap(copy);
    }

    /** A configured key; admin keys may call the admin endpoints. */
    public record KeyEntry(GatewayKey key, boolean admin) {
    }

    public static GatewayRepoConfig read(Path file, Path keysDir) {
        byte[] json;
        try {
            json = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("access configuration " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("cannot read access configuration " + file + ": " + e.getMessage(), e);
        }
        return parse(json, file.toString(), keysDir);
    }

    public static GatewayRepoConfig parse(byte[] json, String origin, Path keysDir) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new ConfigException(origin + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(origin + ": expected a JSON object at the top level");
        }
        return new Reader(origin, keysDir).read(root);
    }

    private static final class Reader {
        private final String origin;
        private final KeyDirectory keyDirectory;
        private final Map<String, KeyEntry> keys = new LinkedHashMap<>();
        private final Map<String, Map<String, String>> repos = new LinkedHashMap<>();

        Reader(String origin, Path keysDir) {
            this.origin = origin;
            this.keyDirectory = new KeyDirectory(keysDir);
        }

        GatewayRepoConfig read(JsonNode root) {
            JsonNode version = root.get("version");
            boolean v1 = version == null || !version.isIntegralNumber() || version.asLong() == 1;
            Map<String, String> keyPaths = new LinkedHashMap<>();
            for (JsonNode spec : array(root, "keys")) {
                readKeySpec(spec, keyPaths);
            }
            for (JsonNode item : array(root, "repos")) {
                if (v1) {
                    readV1Repo(item, keyPaths);
                } else {
                    readV2Repo(item);
                }
            }
            return new GatewayRepoConfig(keys, repos);
        }

        private void readKeySpec(JsonNode spec, Map<String, String> keyPaths) {
            if (!spec.isObject()) {
                throw fail("keys[]: each key must be an object, got " + spec);
            }
            String type = text(spec, "type", "keys[]");
            GatewayKey key = switch (type) {
                case "plain_text" -> {
                    try {
                        yield new GatewayKey(text(spec, "id", "keys[]"), text(spec, "secret", "keys[]"));
                    } catch (IllegalArgumentException e) {
                        throw fail("keys[]: " + e.getMessage());
                    }
                }
                case "file" -> readKeyFile(Path.of(text(spec, "file_name", "keys[]")));
                default -> throw fail("keys[]: invalid key type '" + type + "' (expected plain_text or file)");
            };
            keys.put(key.id(), new KeyEntry(key, bool(spec, "admin")));
            JsonNode subpath = spec.get("repo_subpath");
            keyPaths.put(key.id(), subpath != null && subpath.isTextual() ? subpath.asText() : "");
        }

        private void readV1Repo(JsonNode item, Map<String, String> keyPaths) {
            if (!item.isObject()) {
                throw fail("repos[]: could not interpret repository spec item " + item);
            }
            String name = repoName(text(item, "domain", "repos[]"));
            Map<String, String> allowed = new LinkedHashMap<>();
            for (JsonNode id : array(item, "keys")) {
                if (!id.isTextual()) {
                    throw fail("repos[" + name + "].keys: expected key id strings, got " + id);
                }
                allowed.put(id.asText(), keyPaths.getOrDefault(id.asText(), ""));
            }
            repos.put(name, allowed);
        }

        private void readV2Repo(JsonNode item) {
            if (item.isTextual()) {
                String name = repoName(item.asText());
                GatewayKey key = readKeyFile(keyDirectory.gatewayKeyFile(name));
                keys.putIfAbsent(key.id(), new KeyEntry(key, false));
                Map<String, String> allowed = new LinkedHashMap<>();
                allowed.put(key.id(), "/");
                repos.put(name, allowed);
                return;
            }
            if (!item.isObject()) {
                throw fail("repos[]: could not interpret repository spec item " + item);
            }
            String name = repoName(text(item, "domain", "repos[]"));
            Map<String, String> allowed = new LinkedHashMap<>();
            for (JsonNode k : array(item, "keys")) {
                if (!k.isObject()) {
                    throw fail("repos[" + name + "]: could not interpret repository spec item (keys must be"
                            + " objects with id and path, got " + k + ")");
                }
                String id = text(k, "id", "repos[" + name + "].keys[]");
                JsonNode path = k.get("path");
                allowed.put(id, path != null && path.isTextual() ? path.asText() : "");
            }
            repos.put(name, allowed);
        }

        private GatewayKey readKeyFile(Path file) {
            try {
                return GatewayKey.readFile(file);
            } catch (IllegalArgumentException e) {
                throw fail(e.getMessage());
            }
        }

        private String repoName(String name) {
            if (name.isEmpty() || name.indexOf('/') >= 0 || name.equals(".") || name.equals("..")
                    || name.chars().anyMatch(c -> c <= ' ')) {
                throw fail("repos[]: invalid repository name '" + name + "'");
            }
            return name;
        }

        private Iterable<JsonNode> array(JsonNode parent, String field) {
            JsonNode node = parent.get(field);
            if (node == null || node.isNull()) {
                return java.util.List.of();
            }
            if (!node.isArray()) {
                throw fail("'" + field + "' must be a list, got " + node);
            }
            return node;
        }

        private String text(JsonNode node, String field, String where) {
            JsonNode v = node.get(field);
            if (v == null || !v.isTextual() || v.asText().isEmpty()) {
                throw fail(where + ": '" + field + "' must be a non-empty string, got " + v);
            }
            return v.asText();
        }

        private boolean bool(JsonNode node, String field) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return false;
            }
            if (!v.isBoolean()) {
                throw fail("keys[]: '" + field + "' must be true or false, got " + v);
            }
            return v.asBoolean();
        }

        private ConfigException fail(String message) {
            return new ConfigException(origin + ": " + message);
        }
    }
}
