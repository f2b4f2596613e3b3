package org.cvmfs.suite.protocol.pack;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;

/**
 * The text header of an object pack (version 2):
 * <pre>
 * V2
 * S&lt;payload bytes&gt;
 * N&lt;object count&gt;
 * --
 * &lt;one index line per object, in payload order&gt;
 * </pre>
 * The digest sent beside a pack is the SHA-1 of exactly these bytes.
 */
public record PackHeader(List<PackEntry> entries, long payloadSize) {
    /** Upstream's limits: 100 bytes of index per object, 100,000 objects. */
    public static final int MAX_OBJECTS = 100_000;
    public static final int MAX_HEADER_BYTES = 100 * MAX_OBJECTS;

    public PackHeader {
        entries = List.copyOf(entries);
        long sum = 0;
        for (PackEntry e : entries) {
            sum = Math.addExact(sum, e.size());
        }
        if (sum != payloadSize) {
            throw new ObjectPackException("pack header: S" + payloadSize + " but the objects' sizes add up to " + sum);
        }
    }

    public static PackHeader of(List<PackEntry> entries) {
        long sum = 0;
        for (PackEntry e : entries) {
            sum = Math.addExact(sum, e.size());
        }
        return new PackHeader(entries, sum);
    }

    public byte[] toBytes() {
        StringBuilder b = new StringBuilder(32 + entries.size() * 60);
        b.append("V2\nS").append(payloadSize).append("\nN").append(entries.size()).append("\n--\n");
        for (PackEntry e : entries) {
            b.append(e.toIndexLine());
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Lowercase hex SHA-1 of the header bytes: the {@code payload_digest}. */
    public static String digestOf(byte[] headerBytes) {
        return ContentHash.compute(HashAlgorithm.SHA1, headerBytes, ObjectSuffix.NONE).toText();
    }

    /** Parses header bytes; every refusal names the line and the value. */
    public static PackHeader parse(byte[] bytes) {
        if (bytes.length > MAX_HEADER_BYTES) {
            throw new ObjectPackException("pack header of " + bytes.length + " bytes exceeds " + MAX_HEADER_BYTES);
        }
        for (byte c : bytes) {
            if (c < 0 || (c < 0x20 && c != '\n')) {
                throw new ObjectPackException("pack header contains a non-ASCII or control byte");
            }
        }
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (!text.endsWith("\n")) {
            throw new ObjectPackException("pack header does not end with a newline (truncated?)");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (lines.length < 4) {
            throw new ObjectPackException("pack header has " + lines.length + " line(s), needs at least V, S, N and --");
        }
        if (!lines[0].equals("V2")) {
            throw new ObjectPackException("pack header line 1: expected 'V2', got '" + clip(lines[0]) + "'");
        }
        long payloadSize = number(lines[1], 'S', 2);
        long count = number(lines[2], 'N', 3);
        if (!lines[3].equals("--")) {
            throw new ObjectPackException("pack header line 4: expected '--', got '" + clip(lines[3]) + "'");
        }
        if (count > MAX_OBJECTS) {
            throw new ObjectPackException("pack header line 3: N" + count + " exceeds " + MAX_OBJECTS + " objects");
        }
        if (lines.length - 4 != count) {
            throw new ObjectPackException("pack header announces N" + count + " but has " + (lines.length - 4)
                    + " index line(s)");
        }
        List<PackEntry> entries = new ArrayList<>((int) count);
        for (int i = 4; i < lines.length; i++) {
            entries.add(indexLine(lines[i], i + 1));
        }
        try {
            return new PackHeader(entries, payloadSize);
        } catch (ArithmeticException overflow) {
            throw new ObjectPackException("pack header: object sizes overflow");
        }
    }

    private static PackEntry indexLine(String line, int lineNo) {
        String[] f = line.split(" ", -1);
        boolean named = f.length == 4 && f[0].equals("N");
        if (!(named || (f.length == 3 && f[0].equals("C")))) {
            throw new ObjectPackException("pack header line " + lineNo + ": expected 'C <hash> <size>' or"
                    + " 'N <hash> <size> <name>', got '" + clip(line) + "'");
        }
        ContentHash hash;
        try {
            hash = ContentHash.parseSuffixed(f[1]);
        } catch (IllegalArgumentException e) {
            throw new ObjectPackException("pack header line " + lineNo + ": " + e.getMessage());
        }
        long size = decimal(f[2], "object size", lineNo);
        String name = null;
        if (named) {
            try {
                name = new String(Base64.getUrlDecoder().decode(f[3]), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new ObjectPackException("pack header line " + lineNo + ": object name '" + clip(f[3])
                        + "' is not base64url");
            }
            if (name.isEmpty()) {
                throw new ObjectPackException("pack header line " + lineNo + ": empty object name");
            }
        }
        return new PackEntry(hash, size, name);
    }

    private static long number(String line, char key, int lineNo) {
        if (line.isEmpty() || line.charAt(0) != key) {
            throw new ObjectPackException("pack header line " + lineNo + ": expected '" + key + "<number>', got '"
                    + clip(line) + "'");
        }
        return decimal(line.substring(1), key + " value", lineNo);
    }

    private static long decimal(String s, String what, int lineNo) {
        if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ObjectPackException("pack header line " + lineNo + ": " + what + " '" + clip(s)
                    + "' is not a decimal number");
        }
        return Long.parseLong(s);
    }

    private static String clip(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
