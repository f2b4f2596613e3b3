package org.cvmfs.suite.protocol.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The gateway's service settings, {@code /etc/cvmfs/gateway/user.json}, with upstream's
 * defaults and precedence: a command-line flag beats the file, the file beats the default; the
 * legacy {@code fe_tcp_port} beats even a {@code --port} flag; {@code receiver_config.size} and
 * {@code receiver_worker_config.executable_path} apply unless the matching flag is given. A
 * missing file means defaults, as upstream; a malformed one is refused.
 *
 * @param receiverBackend {@code native} (default: payloads and commits done in Java) or
 *                        {@code upstream} (delegated to {@code cvmfs_receiver} processes)
 * @param notifyUrl       {@code notify_url} (our addition): a notification service (API root such as
 *                        {@code http://notify:4929/api/v1}, or its {@code .../publish} endpoint) that
 *                        receives each newly published manifest; empty for none
 * @param idleTimeout     {@code idle_timeout} (ours, seconds): a connection with no byte in either
 *                        direction for this long is closed; it must exceed the longest commit, whose
 *                        reply comes only at its end
 * @param maxConnections  {@code max_connections} (ours): connections beyond this are closed at once
 * @param requireSignedLeaseRequests {@code require_signed_lease_requests} (ours): refuse lease
 *                        requests without a signed time stamp and nonce (upstream clients send none)
 */
public record GatewayUserConfig(
        Path accessConfigFile,
        int port,
        Duration maxLeaseTime,
        int numReceivers,
        Path receiverPath,
        Path workDir,
        String logLevel,
        boolean logTimestamps,
        String receiverBackend,
        Optional<URI> notifyUrl,
        Duration idleTimeout,
        int maxConnections,
        boolean requireSignedLeaseRequests) {

    public static final String BACKEND_NATIVE = "native";
    public static final String BACKEND_UPSTREAM = "upstream";
    public static final Set<String> LOG_LEVELS = Set.of("debug", "info", "warn", "error", "fatal", "panic");

    /** Keys that may be given in the file or as {@code --key=value} flags. */
    public static final Set<String> KEYS = Set.of("access_config_file", "port", "max_lease_time", "num_receivers",
            "receiver_path", "work_dir", "log_level", "log_timestamps", "receiver_backend", "notify_url",
            "idle_timeout", "max_connections", "require_signed_lease_requests");

    public static GatewayUserConfig defaults(HostPaths host) {
        return new GatewayUserConfig(host.etcCvmfs().resolve("gateway/repo.json"), 4929, Duration.ofSeconds(7200), 1,
                Path.of("/usr/bin/cvmfs_receiver"), host.resolve("/var/lib/cvmfs-gateway"), "info", false,
                BACKEND_NATIVE, Optional.empty(), Duration.ofSeconds(600), 4096, false);
    }

    /**
     * Reads {@code file} (absent: defaults) and applies {@code flags} (user.json key to value).
     */
    public static GatewayUserConfig read(Path file, Map<String, String> flags, HostPaths host) {
        JsonNode root = null;
        try {
            byte[] json = Files.readAllBytes(file);
            root = new ObjectMapper().readTree(json);
            if (root == null || !root.isObject()) {
                throw new ConfigException(file + ": expected a JSON object at the top level");
            }
        } catch (NoSuchFileException absent) {
            root = null;
        } catch (IOException e) {
            throw new ConfigException(file + ": " + e.getMessage(), e);
        }
        for (String flag : flags.keySet()) {
            if (!KEYS.contains(flag)) {
                throw new ConfigException("unknown gateway option '" + flag + "' (known: " + String.join(", ",
                        new java.util.TreeSet<>(KEYS)) + ")");
            }
        }
        return new Reader(file.toString(), root, flags).read(defaults(host));
    }

    private record Reader(String origin, JsonNode root, Map<String, String> flags) {
        GatewayUserConfig read(GatewayUserConfig d) {
            int port = integer("port", d.port());
            JsonNode legacyPort = node("fe_tcp_port");
            if (legacyPort != null) {
                port = asInt("fe_tcp_port", legacyPort.asText());
            }
            if (port < 1 || port > 65535) {
                throw fail("port", "must be between 1 and 65535, got " + port);
            }
            int numReceivers = integer("num_receivers", d.numReceivers());
            JsonNode legacySize = nested("receiver_config", "size");
            if (legacySize != null && !flags.containsKey("num_receivers")) {
                numReceivers = asInt("receiver_config.size", legacySize.asText());
            }
            if (numReceivers < 1) {
                throw fail("num_receivers", "must be at least 1, got " + numReceivers);
            }
            String receiverPath = text("receiver_path", d.receiverPath().toString());
            JsonNode legacyPath = nested("receiver_worker_config", "executable_path");
            if (legacyPath != null && !flags.containsKey("receiver_path")) {
                receiverPath = legacyPath.asText();
            }
            int maxLease = integer("max_lease_time", (int) d.maxLeaseTime().toSeconds());
            if (maxLease < 1) {
                throw fail("max_lease_time", "must be at least 1 second, got " + maxLease);
            }
            String level = text("log_level", d.logLevel()).toLowerCase(Locale.ROOT);
            String backend = text("receiver_backend", d.receiverBackend());
            if (!backend.equals(BACKEND_NATIVE) && !backend.equals(BACKEND_UPSTREAM)) {
                throw fail("receiver_backend", "must be '" + BACKEND_NATIVE + "' or '" + BACKEND_UPSTREAM
                        + "', got '" + backend + "'");
            }
            return new GatewayUserConfig(
                    Path.of(text("access_config_file", d.accessConfigFile().toString())),
                    port,
                    Duration.ofSeconds(maxLease),
                    numReceivers,
                    Path.of(receiverPath),
                    Path.of(text("work_dir", d.workDir().toString())),
                    LOG_LEVELS.contains(level) ? level : "info", // upstream falls back to info
                    bool("log_timestamps", d.logTimestamps()),
                    backend,
                    url("notify_url", d.notifyUrl()),
                    Duration.ofSeconds(atLeastOne("idle_timeout", (int) d.idleTimeout().toSeconds())),
                    atLeastOne("max_connections", d.maxConnections()),
                    bool("require_signed_lease_requests", d.requireSignedLeaseRequests()));
        }

        private int atLeastOne(String key, int fallback) {
            int v = integer(key, fallback);
            if (v < 1) {
                throw fail(key, "must be at least 1, got " + v);
            }
            return v;
        }

        private String value(String key) {
            if (flags.containsKey(key)) {
                return flags.get(key);
            }
            JsonNode n = node(key);
            if (n == null) {
                return null;
            }
            if (n.isContainerNode()) {
                throw fail(key, "must be a single value, got " + n);
            }
            return n.asText();
        }

        private JsonNode node(String key) {
            JsonNode n = root == null ? null : root.get(key);
            return n == null || n.isNull() ? null : n;
        }

        private JsonNode nested(String outer, String inner) {
            JsonNode o = node(outer);
            JsonNode n = o == null ? null : o.get(inner);
            return n == null || n.isNull() ? null : n;
        }

        private int integer(String key, int fallback) {
            String v = value(key);
            return v == null ? fallback : asInt(key, v);
        }

        private int asInt(String key, String v) {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw fail(key, "must be an integer, got '" + v + "'");
            }
        }

        private String text(String key, String fallback) {
            String v = value(key);
            if (v != null && v.isBlank()) {
                throw fail(key, "must not be empty");
            }
            return v == null ? fallback : v;
        }

        /** An absolute http(s) URL; an empty value means none, so a flag can switch a file's URL off. */
        private Optional<URI> url(String key, Optional<URI> fallback) {
            String v = value(key);
            if (v == null) {
                return fallback;
            }
            if (v.isBlank()) {
                return Optional.empty();
            }
            URI uri;
            try {
                uri = new URI(v.trim());
            } catch (URISyntaxException e) {
                throw fail(key, "must be a URL, got '" + v + "': " + e.getMessage());
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw fail(key, "must be an http or https URL with a host, got '" + v + "'");
            }
            return Optional.of(uri);
        }

        private boolean bool(String key, boolean fallback) {
            String v = value(key);
            if (v == null) {
                return fallback;
            }
            return switch (v.trim().toLowerCase(Locale.ROOT)) {
                case "true", "1" -> true;
                case "false", "0" -> false;
                default -> throw fail(key, "must be true or false, got '" + v + "'");
            };
        }

        private ConfigException fail(String key, String problem) {
            return new ConfigException((flags.containsKey(key) ? "--" + key : origin + ": " + key) + " " + problem);
        }
    }
}
