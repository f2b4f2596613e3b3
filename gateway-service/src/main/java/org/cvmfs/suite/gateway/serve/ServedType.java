package org.cvmfs.suite.gateway.serve;

/**
 * Content type and cache lifetime of a served file, by name, as upstream's Apache configuration
 * sets them (spec repository-format 1.7): the signed root files ({@code .cvmfs*}) and JSON files
 * change with every publication and live 61 seconds in caches; everything else, above all the
 * immutable content-addressed objects (names without a dot), lives 3 days.
 */
public record ServedType(String contentType, long maxAgeSeconds) {
    public static final long SHORT_LIVED = 61;
    public static final long IMMUTABLE = 3 * 24 * 3600;

    public static ServedType of(String fileName) {
        if (fileName.startsWith(".cvmfs")) {
            return new ServedType("application/x-cvmfs", SHORT_LIVED);
        }
        if (fileName.endsWith(".json")) {
            return new ServedType("application/json", SHORT_LIVED);
        }
        return new ServedType("application/octet-stream", IMMUTABLE);
    }

    public String cacheControl() {
        return "max-age=" + maxAgeSeconds;
    }
}
