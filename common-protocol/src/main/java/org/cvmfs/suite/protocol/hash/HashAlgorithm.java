package org.cvmfs.suite.protocol.hash;

import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.RIPEMD160Digest;
import org.bouncycastle.crypto.digests.SHAKEDigest;

/**
 * Content hash algorithms of CernVM-FS. All three produce 20-byte digests; they are told apart in
 * text by the identifier appended to the hex form and in catalogs by the flag bits 8-10.
 */
public enum HashAlgorithm {
    SHA1("sha1", "", 0),
    RMD160("rmd160", "-rmd160", 1),
    SHAKE128("shake128", "-shake128", 2);

    public static final int DIGEST_LENGTH = 20;

    private final String configName;
    private final String identifier;
    private final int catalogFlagValue;

    HashAlgorithm(String configName, String identifier, int catalogFlagValue) {
        this.configName = configName;
        this.identifier = identifier;
        this.catalogFlagValue = catalogFlagValue;
    }

    /** Name used in {@code CVMFS_HASH_ALGORITHM} and on the command line. */
    public String configName() {
        return configName;
    }

    /** Suffix of the hex form ("" for SHA-1). */
    public String identifier() {
        return identifier;
    }

    /** Value stored in catalog flag bits 8-10. */
    public int catalogFlagValue() {
        return catalogFlagValue;
    }

    /** Length of the hex form including the identifier; upstream parsers dispatch on it. */
    public int textLength() {
        return 2 * DIGEST_LENGTH + identifier.length();
    }

    public static HashAlgorithm fromConfigName(String name) {
        for (HashAlgorithm a : values()) {
            if (a.configName.equalsIgnoreCase(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown hash algorithm '" + name + "' (expected sha1, rmd160 or shake128)");
    }

    public static HashAlgorithm fromCatalogFlagValue(int value) {
        for (HashAlgorithm a : values()) {
            if (a.catalogFlagValue == value) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown catalog hash algorithm value " + value);
    }

    /**
     * A fresh incremental digester; not thread-safe, one per stream. SHA-1 by libcrypto where it
     * is bound ({@link NativeSha1}), else in Java.
     */
    public Digester newDigester() {
        return switch (this) {
            case SHA1 -> NativeSha1.available() ? new NativeSha1() : new Sha1Digester();
            case RMD160 -> new BouncyDigester(new RIPEMD160Digest());
            case SHAKE128 -> new BouncyDigester(new SHAKEDigest(128));
        };
    }

    public byte[] digest(byte[] data) {
        Digester d = newDigester();
        d.update(data, 0, data.length);
        return d.finish();
    }

    /** Incremental hashing over a stream of bytes. */
    public interface Digester {
        void update(byte[] data, int offset, int length);

        /** Returns the 20-byte digest; the digester must not be used afterwards. */
        byte[] finish();
    }

    private record BouncyDigester(Digest digest) implements Digester {
        @Override
        public void update(byte[] data, int offset, int length) {
            digest.update(data, offset, length);
        }

        @Override
        public byte[] finish() {
            byte[] out = new byte[DIGEST_LENGTH];
            if (digest instanceof SHAKEDigest shake) {
                shake.doFinal(out, 0, DIGEST_LENGTH);
            } else {
                digest.doFinal(out, 0);
            }
            return out;
        }
    }
}
