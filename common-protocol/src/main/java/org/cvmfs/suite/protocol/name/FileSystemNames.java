package org.cvmfs.suite.protocol.name;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The file-system boundary of {@link RawName}: names and symlink targets of a working tree as
 * the exact bytes the kernel holds, whatever the locale.
 *
 * <p>The JVM turns file names into Strings with {@code sun.jnu.encoding}, which it takes from
 * the locale at start-up (JDK 17 ignores {@code -Dsun.jnu.encoding}; checked). Under UTF-8 a
 * name that is not UTF-8 decodes to replacement characters, and a String with lone surrogates
 * cannot be encoded back. A {@link Path} itself keeps the raw bytes, though (a directory
 * stream's entries and {@code readlink}'s result are built from bytes), and the documented
 * {@link Path#toUri()} / {@link Path#of(URI)} pair percent-encodes and decodes exactly those
 * bytes. So text that round-trips through the platform encoding takes the ordinary String path,
 * as before, and everything else goes through a {@code file:} URI, byte for byte.
 *
 * <p>One thing the JVM cannot create: a symlink target with an empty component ({@code a//b}),
 * which every JVM path normalises to {@code a/b}. Upstream's entry is still published unchanged,
 * because the publisher only sends what changed between two scans of the working tree.
 */
public final class FileSystemNames {
    private static final boolean UTF8_PLATFORM = platformCharset().equals(StandardCharsets.UTF_8);

    private FileSystemNames() {
    }

    /** The last component of {@code file} (an entry of a directory stream) in RawName form. */
    public static String nameOf(Path file) {
        String shown = file.getFileName().toString();
        if (isExact(shown)) {
            return shown;
        }
        String raw = file.toAbsolutePath().toUri().getRawPath();
        if (raw.endsWith("/")) {
            raw = raw.substring(0, raw.length() - 1);
        }
        return RawName.decode(percentDecode(raw.substring(raw.lastIndexOf('/') + 1)));
    }

    /**
     * The target of the symbolic link {@code link} in RawName form; {@code expectedBytes} is the
     * link's size from {@code lstat}, which must match (or the target is refused, never altered).
     */
    public static String linkTarget(Path link, long expectedBytes) throws IOException {
        Path target = Files.readSymbolicLink(link);
        String shown = target.toString();
        String result;
        if (isExact(shown)) {
            result = shown;
        } else {
            String raw = (target.isAbsolute() ? target : link.getFileSystem().getPath("/").resolve(target))
                    .toUri().getRawPath();
            if (!target.isAbsolute()) {
                raw = raw.substring(1);
            }
            // toUri appends '/' when the path names an existing directory; the raw target's own
            // final slash survives any decoding, so the decoded text tells the two apart
            if (raw.endsWith("/") && !shown.endsWith("/")) {
                raw = raw.substring(0, raw.length() - 1);
            }
            result = RawName.decode(percentDecode(raw));
        }
        long length = RawName.byteLength(result);
        if (length != expectedBytes) {
            throw new IOException("the target of " + link + " reads as " + length + " bytes, but the link holds "
                    + expectedBytes);
        }
        return result;
    }

    /** {@code dir} joined with {@code relative} (components separated by {@code /}, RawName form). */
    public static Path resolve(Path dir, String relative) {
        if (isExact(relative)) {
            return dir.resolve(relative);
        }
        String base = dir.toAbsolutePath().toUri().getRawPath();
        if (!base.endsWith("/")) {
            base += "/";
        }
        return Path.of(URI.create("file://" + base + percentEncode(RawName.encode(relative))));
    }

    /** A path holding the bytes of the symlink target {@code target} (RawName form), to create a link with. */
    public static Path linkTargetPath(String target) {
        if (isExact(target)) {
            return Path.of(target);
        }
        byte[] bytes = RawName.encode(target);
        boolean absolute = bytes.length > 0 && bytes[0] == '/';
        // Path.of(URI) drops one final slash: give it one to drop
        String path = (absolute ? "" : "/") + percentEncode(bytes) + (target.endsWith("/") ? "/" : "");
        Path p = Path.of(URI.create("file://" + path));
        return absolute ? p : p.subpath(0, p.getNameCount());
    }

    // Text whose bytes the platform encoding decodes to exactly this String and back.
    private static boolean isExact(String s) {
        if (s.indexOf('\uFFFD') >= 0 || !RawName.isText(s)) {
            return false;
        }
        if (UTF8_PLATFORM) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static String percentEncode(byte[] bytes) {
        StringBuilder b = new StringBuilder(bytes.length * 3);
        for (byte x : bytes) {
            int c = x & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '/' || c == '.' || c == '-' || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return b.toString();
    }

    private static byte[] percentDecode(String raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                out.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    private static Charset platformCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding"));
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }
}
