package org.cvmfs.suite.protocol.conveyor;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * A job's payload string (spec 5.2): {@code <type>|<url>[|<argument>]}, split on every
 * {@code |}, tokens after the third ignored. Only {@code script} exists. The URL's optional
 * {@code checksum} query parameter is {@code <alg>:<hex>} (md5, sha1, sha256) or bare hex whose
 * algorithm follows from its length. The whole URL, query included, is what gets fetched.
 */
public record JobPayload(String type, String url, String argument, Optional<Checksum> checksum) {
    public static final String SCRIPT = "script";
    public static final String INVALID_PAYLOAD = "invalid payload string";
    public static final String INVALID_CHECKSUM = "invalid checksum";

    /** An expected digest: the JDK algorithm name and the lowercase hex digest. */
    public record Checksum(String algorithm, String hex) {
        /** The {@code java.security.MessageDigest} name. */
        public String digestName() {
            return switch (algorithm) {
                case "md5" -> "MD5";
                case "sha1" -> "SHA-1";
                default -> "SHA-256";
            };
        }
    }

    /** Parses {@code text}; {@link MalformedJobException} with upstream's messages when invalid. */
    public static JobPayload parse(String text) {
        String[] tokens = text.split("\\|", -1);
        if (tokens.length < 2 || !SCRIPT.equals(tokens[0])) {
            throw new MalformedJobException(INVALID_PAYLOAD);
        }
        String url = tokens[1];
        String argument = tokens.length >= 3 ? tokens[2] : "";
        return new JobPayload(tokens[0], url, argument, checksumOf(url));
    }

    /**
     * Where the script is stored: {@code tempDir} + the URL path, cleaned. Unlike upstream, a
     * path that leaves {@code tempDir} (through {@code ..}) is refused.
     */
    public Path localTarget(Path tempDir) {
        String path;
        try {
            path = new URI(url).getPath();
        } catch (URISyntaxException e) {
            throw new MalformedJobException("invalid payload URL: " + e.getMessage(), e);
        }
        if (path == null || path.isEmpty() || path.endsWith("/")) {
            throw new MalformedJobException("payload URL names no file: '" + url + "'");
        }
        Path base = tempDir.toAbsolutePath().normalize();
        Path target = base.resolve(path.replaceFirst("^/+", "")).normalize();
        if (!target.startsWith(base) || target.equals(base)) {
            throw new MalformedJobException("payload URL path escapes temp_dir: '" + path + "'");
        }
        return target;
    }

    private static Optional<Checksum> checksumOf(String url) {
        String query;
        try {
            query = new URI(url).getRawQuery();
        } catch (URISyntaxException e) {
            throw new MalformedJobException("invalid payload URL: " + e.getMessage(), e);
        }
        if (query == null) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (!"checksum".equals(key)) {
                continue;
            }
            String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            return Optional.of(checksum(value));
        }
        return Optional.empty();
    }

    static Checksum checksum(String value) {
        String alg;
        String hex;
        int colon = value.indexOf(':');
        if (colon >= 0) {
            alg = value.substring(0, colon).toLowerCase(Locale.ROOT);
            hex = value.substring(colon + 1).toLowerCase(Locale.ROOT);
        } else {
            hex = value.toLowerCase(Locale.ROOT);
            alg = switch (hex.length()) {
                case 32 -> "md5";
                case 40 -> "sha1";
                case 64 -> "sha256";
                default -> throw new MalformedJobException(INVALID_CHECKSUM);
            };
        }
        int expectedLength = switch (alg) {
            case "md5" -> 32;
            case "sha1" -> 40;
            case "sha256" -> 64;
            default -> throw new MalformedJobException(INVALID_CHECKSUM);
        };
        try {
            HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new MalformedJobException(INVALID_CHECKSUM, e);
        }
        if (hex.length() != expectedLength) {
            throw new MalformedJobException(INVALID_CHECKSUM);
        }
        return new Checksum(alg, hex);
    }
}
