package org.cvmfs.suite.protocol.catalog;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Extended attributes of one entry and their catalog blob (spec 6.8):
 * {@code u8 version=1 | u8 count | count x (u8 keylen | u8 valuelen | key | value)}, entries in
 * byte order of their keys. An empty list is stored as SQL NULL, never as a blob.
 */
public final class XattrList {
    public static final XattrList EMPTY = new XattrList(new TreeMap<>(XattrList::compareKeys));

    static final int VERSION = 1;
    static final int MAX_ENTRIES = 255;
    static final int MAX_KEY_BYTES = 255;
    static final int MAX_VALUE_BYTES = 255;

    private final TreeMap<String, byte[]> entries;

    private XattrList(TreeMap<String, byte[]> entries) {
        this.entries = entries;
    }

    /** Validates and copies {@code attributes} (key to value bytes). */
    public static XattrList of(Map<String, byte[]> attributes) {
        TreeMap<String, byte[]> copy = new TreeMap<>(XattrList::compareKeys);
        for (Map.Entry<String, byte[]> e : attributes.entrySet()) {
            checkKey(e.getKey());
            checkValue(e.getKey(), e.getValue());
            copy.put(e.getKey(), e.getValue().clone());
        }
        if (copy.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("xattr list has " + copy.size() + " entries, at most " + MAX_ENTRIES);
        }
        return copy.isEmpty() ? EMPTY : new XattrList(copy);
    }

    /** Parses a catalog {@code xattr} blob; refuses anything that is not exactly one well-formed list. */
    public static XattrList parse(byte[] blob) {
        if (blob == null) {
            throw new IllegalArgumentException("xattr blob is null");
        }
        if (blob.length < 2) {
            throw new IllegalArgumentException("xattr blob of " + blob.length + " bytes has no header");
        }
        int version = blob[0] & 0xff;
        if (version != VERSION) {
            throw new IllegalArgumentException("xattr blob version " + version + ", expected " + VERSION);
        }
        int count = blob[1] & 0xff;
        TreeMap<String, byte[]> map = new TreeMap<>(XattrList::compareKeys);
        int pos = 2;
        for (int i = 0; i < count; i++) {
            if (pos + 2 > blob.length) {
                throw new IllegalArgumentException("xattr blob truncated in the header of entry " + i + " of " + count);
            }
            int keyLen = blob[pos] & 0xff;
            int valueLen = blob[pos + 1] & 0xff;
            pos += 2;
            if (pos + keyLen + valueLen > blob.length) {
                throw new IllegalArgumentException("xattr blob truncated in entry " + i + " of " + count);
            }
            String key = decodeKey(Arrays.copyOfRange(blob, pos, pos + keyLen), i);
            checkKey(key);
            byte[] value = Arrays.copyOfRange(blob, pos + keyLen, pos + keyLen + valueLen);
            pos += keyLen + valueLen;
            if (map.put(key, value) != null) {
                throw new IllegalArgumentException("xattr blob repeats key '" + RepositoryPath.printable(key) + "'");
            }
        }
        if (pos != blob.length) {
            throw new IllegalArgumentException((blob.length - pos) + " bytes after the last of "
                    + count + " xattr entries");
        }
        return map.isEmpty() ? EMPTY : new XattrList(map);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int size() {
        return entries.size();
    }

    /** Keys in blob order, each mapped to a copy of its value. */
    public Map<String, byte[]> asMap() {
        TreeMap<String, byte[]> copy = new TreeMap<>(XattrList::compareKeys);
        entries.forEach((k, v) -> copy.put(k, v.clone()));
        return Collections.unmodifiableMap(copy);
    }

    public byte[] get(String key) {
        byte[] v = entries.get(key);
        return v == null ? null : v.clone();
    }

    /** The catalog blob, or null for an empty list (stored as SQL NULL). */
    public byte[] serialize() {
        if (entries.isEmpty()) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(VERSION);
        out.write(entries.size());
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
            out.write(key.length);
            out.write(e.getValue().length);
            out.writeBytes(key);
            out.writeBytes(e.getValue());
        }
        return out.toByteArray();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof XattrList other) || other.entries.size() != entries.size()) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            if (!Arrays.equals(e.getValue(), other.entries.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            h += e.getKey().hashCode() ^ Arrays.hashCode(e.getValue());
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        HexFormat hex = HexFormat.of();
        entries.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append('=').append(hex.formatHex(v)));
        return sb.append('}').toString();
    }

    private static void checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("xattr key is empty");
        }
        if (key.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("xattr key '" + RepositoryPath.printable(key) + "' contains NUL");
        }
        int len = key.getBytes(StandardCharsets.UTF_8).length;
        if (len > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("xattr key of " + len + " bytes exceeds " + MAX_KEY_BYTES);
        }
    }

    private static void checkValue(String key, byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException("xattr '" + key + "' has a null value");
        }
        if (value.length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("xattr '" + key + "' value of " + value.length
                    + " bytes exceeds " + MAX_VALUE_BYTES);
        }
    }

    private static String decodeKey(byte[] raw, int index) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("xattr key of entry " + index + " is not UTF-8: "
                    + HexFormat.of().formatHex(raw));
        }
    }

    // std::map orders keys by unsigned bytes; UTF-16 order differs for supplementary characters.
    private static int compareKeys(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
