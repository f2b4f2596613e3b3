package org.cvmfs.suite.protocol.manifest;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;

/**
 * The body of {@code .cvmfspublished}: the repository's entry point. This type holds the
 * key/value lines only; the signature block is handled by {@link SignedManifest}.
 *
 * @param rootCatalog      {@code C}, with suffix {@link ObjectSuffix#CATALOG}
 * @param rootCatalogSize  {@code B}, uncompressed size of the root catalog
 * @param ttlSeconds       {@code D}
 * @param revision         {@code S}
 * @param garbageCollectable {@code G}
 * @param alternativeNames {@code A}
 * @param repositoryName   {@code N}
 * @param certificate      {@code X} (suffix X), may be null only while being built
 * @param history          {@code H} (suffix H) or null
 * @param publishedSeconds {@code T} or -1 when absent
 * @param metaInfo         {@code M} (suffix M) or null
 * @param reflog           {@code Y} (no suffix) or null
 */
public record Manifest(
        ContentHash rootCatalog,
        long rootCatalogSize,
        long ttlSeconds,
        long revision,
        boolean garbageCollectable,
        boolean alternativeNames,
        String repositoryName,
        ContentHash certificate,
        ContentHash history,
        long publishedSeconds,
        ContentHash metaInfo,
        ContentHash reflog) {

    /** MD5 of the empty root path; the client refuses any other {@code R}. */
    public static final String ROOT_PATH_MD5 = "d41d8cd98f00b204e9800998ecf8427e";
    public static final long DEFAULT_TTL = 240;

    public Manifest {
        Objects.requireNonNull(rootCatalog, "root catalog (C)");
        Objects.requireNonNull(repositoryName, "repository name (N)");
    }

    public Optional<ContentHash> historyHash() {
        return Optional.ofNullable(history);
    }

    public Manifest withRootCatalog(ContentHash catalog, long size, long newRevision) {
        return new Manifest(catalog.withSuffix(ObjectSuffix.CATALOG), size, ttlSeconds, newRevision,
                garbageCollectable, alternativeNames, repositoryName, certificate, history,
                publishedSeconds, metaInfo, reflog);
    }

    public Manifest withHistory(ContentHash newHistory) {
        return new Manifest(rootCatalog, rootCatalogSize, ttlSeconds, revision, garbageCollectable,
                alternativeNames, repositoryName, certificate, newHistory, publishedSeconds, metaInfo, reflog);
    }

    public Manifest withSigningFacts(ContentHash newCertificate, ContentHash newReflog, long nowSeconds) {
        return new Manifest(rootCatalog, rootCatalogSize, ttlSeconds, revision, garbageCollectable,
                alternativeNames, repositoryName, newCertificate, history, nowSeconds, metaInfo, newReflog);
    }

    /** Parses the lines before {@code --} with upstream's rules (later keys win, blank lines skipped). */
    public static Manifest parseBody(byte[] body) {
        Map<Character, String> kv = new LinkedHashMap<>();
        String text = new String(body, StandardCharsets.UTF_8);
        for (String line : text.split("\n", -1)) {
            if (line.equals("--")) {
                break;
            }
            if (!line.isEmpty()) {
                kv.put(line.charAt(0), line.substring(1));
            }
        }
        String c = require(kv, 'C');
        String r = require(kv, 'R');
        if (!ROOT_PATH_MD5.equals(r)) {
            throw new ManifestException("manifest R line is '" + r + "', expected the MD5 of the empty path");
        }
        return new Manifest(
                hash(c, 'C', ObjectSuffix.CATALOG),
                number(kv, 'B', 0),
                number(kv, 'D', DEFAULT_TTL),
                parseLong(require(kv, 'S'), 'S'),
                "yes".equals(kv.get('G')),
                "yes".equals(kv.get('A')),
                require(kv, 'N'),
                optionalHash(kv, 'X', ObjectSuffix.CERTIFICATE),
                optionalHash(kv, 'H', ObjectSuffix.HISTORY),
                number(kv, 'T', -1),
                optionalHash(kv, 'M', ObjectSuffix.META_INFO),
                optionalHash(kv, 'Y', ObjectSuffix.NONE));
    }

    /** The body in upstream's writer order {@code C B R D S G A [L] N X H T M Y}, LF-terminated. */
    public byte[] exportBody() {
        StringBuilder b = new StringBuilder(512);
        line(b, 'C', rootCatalog.toText());
        line(b, 'B', Long.toString(rootCatalogSize));
        line(b, 'R', ROOT_PATH_MD5);
        line(b, 'D', Long.toString(ttlSeconds));
        line(b, 'S', Long.toString(revision));
        line(b, 'G', garbageCollectable ? "yes" : "no");
        line(b, 'A', alternativeNames ? "yes" : "no");
        line(b, 'N', repositoryName);
        if (certificate != null) {
            line(b, 'X', certificate.toText());
        }
        if (history != null) {
            line(b, 'H', history.toText());
        }
        if (publishedSeconds >= 0) {
            line(b, 'T', Long.toString(publishedSeconds));
        }
        if (metaInfo != null) {
            line(b, 'M', metaInfo.toText());
        }
        if (reflog != null) {
            line(b, 'Y', reflog.toText());
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder b, char key, String value) {
        b.append(key).append(value).append('\n');
    }

    private static String require(Map<Character, String> kv, char key) {
        String v = kv.get(key);
        if (v == null || v.isEmpty()) {
            throw new ManifestException("manifest has no " + key + " line");
        }
        return v;
    }

    private static long number(Map<Character, String> kv, char key, long dflt) {
        String v = kv.get(key);
        return v == null ? dflt : parseLong(v, key);
    }

    private static long parseLong(String v, char key) {
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new NumberFormatException("negative");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ManifestException("manifest " + key + " line is not a number: '" + v + "'");
        }
    }

    private static ContentHash hash(String v, char key, ObjectSuffix suffix) {
        try {
            return ContentHash.parse(v, suffix);
        } catch (IllegalArgumentException e) {
            throw new ManifestException("manifest " + key + " line is not a content hash: '" + v + "'");
        }
    }

    private static ContentHash optionalHash(Map<Character, String> kv, char key, ObjectSuffix suffix) {
        String v = kv.get(key);
        return v == null || v.isEmpty() ? null : hash(v, key, suffix);
    }
}
