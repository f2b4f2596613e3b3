package org.cvmfs.suite.protocol.hash;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The name of an object in the content-addressed store: a 20-byte digest, the algorithm that
 * made it, and the type suffix under which the object is stored. Equality includes the suffix,
 * because {@code data/ab/cd...} and {@code data/ab/cd...C} are different files.
 */
public final class ContentHash implements Comparable<ContentHash> {
    private static final HexFormat HEX = HexFormat.of();

    private final HashAlgorithm algorithm;
    private final byte[] digest;
    private final ObjectSuffix suffix;

    private ContentHash(HashAlgorithm algorithm, byte[] digest, ObjectSuffix suffix) {
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.suffix = Objects.requireNonNull(suffix, "suffix");
        if (digest.length != HashAlgorithm.DIGEST_LENGTH) {
            throw new IllegalArgumentException("a content digest has 20 bytes, got " + digest.length);
        }
        this.digest = digest.clone();
    }

    public static ContentHash of(HashAlgorithm algorithm, byte[] digest, ObjectSuffix suffix) {
        return new ContentHash(algorithm, digest, suffix);
    }

    /** Hashes {@code data} (the stored bytes of an object). */
    public static ContentHash compute(HashAlgorithm algorithm, byte[] data, ObjectSuffix suffix) {
        return new ContentHash(algorithm, algorithm.digest(data), suffix);
    }

    /**
     * Parses the text form without suffix ({@code 40 hex} + algorithm identifier), as found in
     * manifests, nested catalog rows, tags and the reflog. The algorithm is told by length.
     */
    public static ContentHash parse(String text, ObjectSuffix suffix) {
        Objects.requireNonNull(text, "hash text");
        for (HashAlgorithm a : HashAlgorithm.values()) {
            if (text.length() == a.textLength() && text.endsWith(a.identifier())) {
                String hex = text.substring(0, 2 * HashAlgorithm.DIGEST_LENGTH);
                if (!isLowerHex(hex)) {
                    break;
                }
                return new ContentHash(a, HEX.parseHex(hex), suffix);
            }
        }
        throw new IllegalArgumentException("not a content hash: '" + abbreviate(text) + "'");
    }

    /** Parses the text form with an optional trailing type suffix, as in object-pack indexes. */
    public static ContentHash parseSuffixed(String text) {
        Objects.requireNonNull(text, "hash text");
        if (!text.isEmpty()) {
            char last = text.charAt(text.length() - 1);
            if (Character.isUpperCase(last)) {
                return parse(text.substring(0, text.length() - 1), ObjectSuffix.fromLetter(last));
            }
        }
        return parse(text, ObjectSuffix.NONE);
    }

    /** Reads a raw digest from a catalog {@code hash} blob. */
    public static ContentHash fromBlob(byte[] blob, HashAlgorithm algorithm, ObjectSuffix suffix) {
        return new ContentHash(algorithm, blob, suffix);
    }

    public HashAlgorithm algorithm() {
        return algorithm;
    }

    public ObjectSuffix suffix() {
        return suffix;
    }

    public byte[] digest() {
        return digest.clone();
    }

    public ContentHash withSuffix(ObjectSuffix newSuffix) {
        return newSuffix == suffix ? this : new ContentHash(algorithm, digest, newSuffix);
    }

    /** Hex plus algorithm identifier, without suffix (manifest, catalog and tag form). */
    public String toText() {
        return HEX.formatHex(digest) + algorithm.identifier();
    }

    /** Hex plus identifier plus suffix (object-pack and commit-request form). */
    public String toSuffixedText() {
        return toText() + suffix.letter();
    }

    /** Path relative to {@code data/}: two hex characters, a slash, the rest and the suffix. */
    public String objectPath() {
        String text = toSuffixedText();
        return text.substring(0, 2) + "/" + text.substring(2);
    }

    /** True if {@code data} hashes to this name with this algorithm. */
    public boolean matches(byte[] data) {
        return Arrays.equals(digest, algorithm.digest(data));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContentHash h && algorithm == h.algorithm && suffix == h.suffix
                && Arrays.equals(digest, h.digest);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(digest) * 31 + suffix.hashCode();
    }

    @Override
    public int compareTo(ContentHash o) {
        return toSuffixedText().compareTo(o.toSuffixedText());
    }

    @Override
    public String toString() {
        return toSuffixedText();
    }

    private static boolean isLowerHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
