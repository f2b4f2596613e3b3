package org.cvmfs.suite.notify.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Upstream's {@code /etc/cvmfs/notify/config.json}, turned into configuration properties.
 *
 * <p>Keys as upstream: {@code port}, {@code log_level} (debug, info, notice, warning, error,
 * critical, alert, emergency), {@code testing_mode}, and {@code amqp} with {@code user},
 * {@code pass}, {@code url} (a host name), {@code exchange}, {@code port}, {@code vhost}. Ours:
 * {@code cache_dir} (last-value cache), {@code keys_dir} (where {@code <repo>.crt} and
 * {@code <repo>.gw} are looked up), {@code publish_auth} ({@code none} or {@code hmac}).
 *
 * <p>Precedence is upstream's (defaults, then the file, then {@code CVMFS_NOTIFY_*} environment
 * variables) but merged per key: an {@code amqp} object naming only some keys keeps the defaults
 * of the others.
 */
public final class NotifyConfigFile {
    public static final String PATH_PROPERTY = "cvmfs.notify.config";
    public static final String PATH_ENV = "CVMFS_NOTIFY_CONFIG";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> LOG_LEVELS = Map.of(
            "debug", "DEBUG", "info", "INFO", "notice", "INFO", "warning", "WARN",
            "error", "ERROR", "critical", "FATAL", "alert", "FATAL", "emergency", "FATAL");

    private enum Kind { INT, BOOL, STRING }

    /**
     * File key, property, JSON kind, and upstream's environment variable. Our own keys have none:
     * the standard mapping ({@code CVMFS_NOTIFY_CACHE_DIR} for {@code cvmfs.notify.cache-dir})
     * already reaches them.
     */
    private record Key(String file, String property, Kind kind, String env) {
    }

    private static final Key[] TOP = {
        new Key("port", "quarkus.http.port", Kind.INT, "CVMFS_NOTIFY_PORT"),
        new Key("log_level", "quarkus.log.level", Kind.STRING, "CVMFS_NOTIFY_LOG_LEVEL"),
        new Key("testing_mode", "cvmfs.notify.testing-mode", Kind.BOOL, "CVMFS_NOTIFY_TESTING_MODE"),
        new Key("cache_dir", "cvmfs.notify.cache-dir", Kind.STRING, null),
        new Key("keys_dir", "cvmfs.notify.keys-dir", Kind.STRING, null),
        new Key("publish_auth", "cvmfs.notify.publish-auth", Kind.STRING, null),
    };
    private static final Key[] AMQP = {
        new Key("user", "cvmfs.notify.amqp.user", Kind.STRING, "CVMFS_NOTIFY_AMQP_USERNAME"),
        new Key("pass", "cvmfs.notify.amqp.password", Kind.STRING, "CVMFS_NOTIFY_AMQP_PASSWORD"),
        new Key("url", "cvmfs.notify.amqp.host", Kind.STRING, "CVMFS_NOTIFY_AMQP_URL"),
        new Key("exchange", "cvmfs.notify.amqp.exchange", Kind.STRING, "CVMFS_NOTIFY_AMQP_EXCHANGE"),
        new Key("port", "cvmfs.notify.amqp.port", Kind.INT, "CVMFS_NOTIFY_AMQP_PORT"),
        new Key("vhost", "cvmfs.notify.amqp.vhost", Kind.STRING, "CVMFS_NOTIFY_AMQP_VHOST"),
    };

    private NotifyConfigFile() {
    }

    /** Where the file is: the property, the environment variable, else under {@code /etc/cvmfs}. */
    public static Path location(Function<String, String> env, Path etcCvmfs) {
        String configured = System.getProperty(PATH_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = env.apply(PATH_ENV);
        }
        return configured == null || configured.isBlank() ? etcCvmfs.resolve("notify/config.json") : Path.of(configured);
    }

    /**
     * The properties set by {@code file} (absent file: none) and by the environment. Values are
     * checked here, so a wrong type or log level stops the start with the key named.
     */
    public static Map<String, String> properties(Path file, Function<String, String> env) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode root = read(file);
        if (root != null) {
            if (!root.isObject()) {
                throw new NotifyConfigException(file + ": the configuration must be a JSON object");
            }
            take(root, TOP, file + ": ", out);
            JsonNode amqp = root.get("amqp");
            if (amqp != null && !amqp.isNull()) {
                if (!amqp.isObject()) {
                    throw new NotifyConfigException(file + ": key 'amqp' must be an object");
                }
                take(amqp, AMQP, file + ": amqp.", out);
            }
        }
        for (Key[] group : new Key[][] {TOP, AMQP}) {
            for (Key k : group) {
                String v = k.env == null ? null : env.apply(k.env);
                if (v != null && !v.isEmpty()) {
                    out.put(k.property, checked(k, v.strip(), "environment variable " + k.env));
                }
            }
        }
        return out;
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return null;
        } catch (JsonProcessingException e) {
            throw new NotifyConfigException(file + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new NotifyConfigException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static void take(JsonNode object, Key[] keys, String where, Map<String, String> out) {
        for (Key k : keys) {
            JsonNode v = object.get(k.file);
            if (v == null || v.isNull()) {
                continue;
            }
            boolean typed = switch (k.kind) {
                case INT -> v.isIntegralNumber() && v.canConvertToInt();
                case BOOL -> v.isBoolean();
                case STRING -> v.isTextual();
            };
            if (!typed) {
                throw new NotifyConfigException(where + k.file + " must be "
                        + switch (k.kind) {
                            case INT -> "an integer";
                            case BOOL -> "true or false";
                            case STRING -> "a string";
                        } + ", got " + v);
            }
            out.put(k.property, checked(k, v.asText(), where + k.file));
        }
    }

    private static String checked(Key k, String value, String where) {
        switch (k.kind) {
            case INT -> {
                int n;
                try {
                    n = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    throw new NotifyConfigException(where + " must be a port number, got '" + value + "'");
                }
                if (n < 0 || n > 65535) {
                    throw new NotifyConfigException(where + " must be a port number, got " + n);
                }
                return Integer.toString(n);
            }
            case BOOL -> {
                if (!value.equals("true") && !value.equals("false")) {
                    throw new NotifyConfigException(where + " must be true or false, got '" + value + "'");
                }
                return value;
            }
            default -> {
                if (k.file.equals("log_level")) {
                    String level = LOG_LEVELS.get(value.toLowerCase(Locale.ROOT));
                    if (level == null) {
                        throw new NotifyConfigException(where + " must be one of " + new java.util.TreeSet<>(LOG_LEVELS.keySet())
                                + ", got '" + value + "'");
                    }
                    return level;
                }
                return value;
            }
        }
    }
}
