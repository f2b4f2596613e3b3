package org.cvmfs.suite.protocol.ingest;

/**
 * How file content is stored ({@code CVMFS_COMPRESSION_ALGORITHM}); the value goes into catalog
 * flag bits 11-13 so that the client knows whether to inflate.
 */
public enum Compression {
    ZLIB("zlib", 0),
    NONE("none", 1);

    private final String configName;
    private final int catalogFlagValue;

    Compression(String configName, int catalogFlagValue) {
        this.configName = configName;
        this.catalogFlagValue = catalogFlagValue;
    }

    public String configName() {
        return configName;
    }

    public int catalogFlagValue() {
        return catalogFlagValue;
    }

    /** Accepts upstream's spellings: {@code zlib}, {@code default} and {@code none}. */
    public static Compression fromConfigName(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "zlib", "default" -> ZLIB;
            case "none" -> NONE;
            default -> throw new IllegalArgumentException("unknown compression algorithm '" + name
                    + "' (expected zlib, default or none)");
        };
    }
}
