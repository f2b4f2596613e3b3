package org.cvmfs.suite.protocol.hash;

/**
 * Type suffix of an object in the content-addressed store. The suffix is not hashed and is not
 * written in manifests or catalogs; it only appears in object paths and in object-pack indexes.
 */
public enum ObjectSuffix {
    /** Whole regular file content. */
    NONE(""),
    /** One chunk of a chunked file. */
    PARTIAL("P"),
    CATALOG("C"),
    HISTORY("H"),
    CERTIFICATE("X"),
    META_INFO("M"),
    /** Micro catalog: reserved by upstream, never written, but accepted when reading. */
    MICRO_CATALOG("L");

    private final String letter;

    ObjectSuffix(String letter) {
        this.letter = letter;
    }

    public String letter() {
        return letter;
    }

    public static ObjectSuffix fromLetter(char c) {
        for (ObjectSuffix s : values()) {
            if (!s.letter.isEmpty() && s.letter.charAt(0) == c) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown object suffix '" + c + "'");
    }
}
