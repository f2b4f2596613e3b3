package org.cvmfs.suite.protocol.ingest;

import java.util.Locale;

/**
 * Which library writes the zlib streams of file content ({@code CVMFS_SUITE_DEFLATE_LIBRARY}, a
 * key of this suite in {@code server.conf}). Both write the format that {@link Compression#ZLIB}
 * names, at level 6, and every client inflates either; they differ in the bytes, so in the
 * objects' names.
 */
public enum DeflateLibrary {
    /**
     * zlib through java.util.zip, the default: the same bytes as upstream's publisher writes for
     * the same content, so an object that upstream's tools stored under a name is found again
     * (deduplicated) when this suite publishes that content, and the other way round.
     */
    ZLIB("zlib"),
    /**
     * libdeflate ({@link NativeDeflate}): 1.5-2.2 times zlib's speed at the same level, 0-3 %
     * more bytes for big chunks, and objects named apart from upstream's for the same content.
     * Where libdeflate is not found the publisher says so and compresses with zlib.
     */
    LIBDEFLATE("libdeflate");

    public static final String CONFIG_KEY = "CVMFS_SUITE_DEFLATE_LIBRARY";
    private final String configName;

    DeflateLibrary(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** Whether this library writes the objects in this JVM (zlib always; libdeflate where it is found). */
    public boolean availableHere() {
        return this == ZLIB || NativeDeflate.available();
    }

    public static DeflateLibrary fromConfigName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "zlib" -> ZLIB;
            case "libdeflate" -> LIBDEFLATE;
            default -> throw new IllegalArgumentException("unknown deflate library '" + name
                    + "' (expected zlib or libdeflate)");
        };
    }
}
