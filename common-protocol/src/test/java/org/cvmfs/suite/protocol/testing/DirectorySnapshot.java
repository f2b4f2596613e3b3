package org.cvmfs.suite.protocol.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every file and directory below a root with its type, permissions, modification time and
 * content digest: two snapshots are equal iff nothing on disk changed. Used to prove that a
 * refused operation left the repository untouched.
 */
public record DirectorySnapshot(Path root, Map<String, String> entries) {
    public static DirectorySnapshot of(Path root) {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            all.forEach(p -> entries.put(root.relativize(p).toString(), describe(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new DirectorySnapshot(root, entries);
    }

    private static String describe(Path p) {
        try {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String kind = a.isDirectory() ? "d" : a.isSymbolicLink() ? "l" : "f";
            String content = a.isRegularFile()
                    ? HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)))
                    : a.isSymbolicLink() ? Files.readSymbolicLink(p).toString() : "";
            return kind + " " + PosixFilePermissions.toString(a.permissions()) + " "
                    + a.lastModifiedTime().toMillis() + " " + a.size() + " " + content;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
