package org.cvmfs.suite.protocol.name;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one representation of file names, paths and symlink targets in the suite: a Java
 * {@link String} that carries the exact bytes upstream stores, in the "surrogate escape" form
 * (Python's PEP 383). Bytes that are valid UTF-8 become the characters they encode; every byte
 * of an invalid sequence becomes the lone surrogate {@code U+DC00 + byte} (U+DC80..U+DCFF),
 * which no valid UTF-8 decodes to. {@link #decode} and {@link #encode} are therefore exact
 * inverses, and the bytes are what catalogs store ({@code name}, {@code symlink},
 * {@code nested_catalogs.path}, {@code root_prefix}) and what {@code md5path} hashes.
 *
 * <p>Why a String and not a byte-array value type: names that are valid UTF-8 (nearly all)
 * stay exactly the Strings they were, so every API, comparison, message and catalog byte is
 * unchanged, and only the boundaries where bytes enter or leave (JDBC, the file system, tar
 * headers, the snapshot file) call this class. Why not a Latin-1 "byte string": that would change
 * the meaning of every existing String name ({@code "ü"} would be two characters) and mix two
 * conventions at every call site. A String is accepted as a name only if it is canonical
 * ({@link #isCanonical}): escapes stand only for bytes that do not form valid UTF-8 where they
 * are, so one byte sequence has one String.
 *
 * <p>Display ({@link #printable}) shows raw bytes as {@code \xNN} and leaves valid text as it
 * is; it is for humans only (listings, JSON, messages) and never stored.
 */
public final class RawName {
    private static final char ESCAPE_BASE = 0xDC00;

    private RawName() {
    }

    /** The bytes as one String: valid UTF-8 decoded, every other byte escaped. Never lossy. */
    public static String decode(byte[] bytes) {
        if (isAscii(bytes)) {
            return new String(bytes, StandardCharsets.US_ASCII);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException notUtf8) {
            return decodeEscaping(bytes);
        }
    }

    /** The exact bytes a String of {@link #decode} came from. */
    public static byte[] encode(String s) {
        if (!hasSurrogate(s)) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        byte[] out = new byte[s.length() * 3];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                byte[] pair = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(pair, 0, out, n, pair.length);
                n += pair.length;
                i++;
            } else if (isEscape(c)) {
                out[n++] = (byte) (c - ESCAPE_BASE);
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("'" + printable(s) + "' holds the lone surrogate U+"
                        + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + ", which stands for no byte");
            } else {
                byte[] one = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(one, 0, out, n, one.length);
                n += one.length;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** Number of bytes {@link #encode} gives. */
    public static int byteLength(String s) {
        return encode(s).length;
    }

    /** True if the bytes of {@code s} are valid UTF-8 (no escaped byte). */
    public static boolean isText(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (isEscape(s.charAt(i)) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)))) {
                return false;
            }
        }
        return true;
    }

    /**
     * True if {@code s} is the one String its bytes decode to: no surrogate that stands for no
     * byte, and no escaped bytes that together are valid UTF-8.
     */
    public static boolean isCanonical(String s) {
        if (!hasSurrogate(s)) {
            return true;
        }
        try {
            return decode(encode(s)).equals(s);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** For humans: raw bytes as {@code \xNN}, valid text unchanged; never stored. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else if (isEscape(c)) {
                b.append(String.format("\\x%02x", c - ESCAPE_BASE));
            } else if (Character.isSurrogate(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static String decodeEscaping(byte[] bytes) {
        StringBuilder out = new StringBuilder(bytes.length);
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer chars = CharBuffer.allocate(2);
        while (in.hasRemaining()) {
            int lead = in.get(in.position()) & 0xFF;
            int length = sequenceLength(lead);
            if (length == 1) {
                out.append((char) lead);
                in.position(in.position() + 1);
                continue;
            }
            boolean valid = false;
            if (length > 1 && in.remaining() >= length) {
                ByteBuffer one = in.slice(in.position(), length);
                chars.clear();
                decoder.reset();
                valid = !decoder.decode(one, chars, true).isError() && !one.hasRemaining()
                        && !decoder.flush(chars).isError();
            }
            if (valid) {
                chars.flip();
                out.append(chars);
                in.position(in.position() + length);
            } else {
                out.append((char) (ESCAPE_BASE + lead));
                in.position(in.position() + 1);
            }
        }
        return out.toString();
    }

    // 1 for ASCII, 2..4 for a UTF-8 lead byte, 0 for a byte that cannot start a sequence
    private static int sequenceLength(int lead) {
        if (lead < 0x80) {
            return 1;
        }
        if (lead >= 0xC2 && lead <= 0xDF) {
            return 2;
        }
        if (lead >= 0xE0 && lead <= 0xEF) {
            return 3;
        }
        if (lead >= 0xF0 && lead <= 0xF4) {
            return 4;
        }
        return 0;
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isEscape(char c) {
        return c >= ESCAPE_BASE + 0x80 && c <= ESCAPE_BASE + 0xFF;
    }

    private static boolean hasSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
