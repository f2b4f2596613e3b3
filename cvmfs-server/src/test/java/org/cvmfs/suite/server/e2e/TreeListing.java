package org.cvmfs.suite.server.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a published tree has to reproduce, entry by entry: type, permission bits, modification
 * time in seconds (what a catalog keeps), size and SHA-256 of regular files, target of symbolic
 * links. Two trees that list equal are the same to a reader of the repository.
 */
record TreeListing(Map<String, String> entries) {
    static TreeListing of(Path root) {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            all.forEach(p -> entries.put("/" + root.relativize(p), describe(p)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        return new TreeListing(entries);
    }

    private static String describe(Path p) {
        try {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                return "symlink -> " + Files.readSymbolicLink(p);
            }
            String common = mode(a) + " mtime=" + a.lastModifiedTime().toInstant().getEpochSecond();
            if (a.isDirectory()) {
                return "dir " + common;
            }
            if (!a.isRegularFile()) {
                throw new IllegalArgumentException(p + " is neither a file, a directory nor a symbolic link");
            }
            return "file " + common + " size=" + a.size() + " sha256=" + sha256(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String mode(PosixFileAttributes a) {
        int bits = 0;
        for (PosixFilePermission perm : a.permissions()) {
            bits |= 1 << (8 - perm.ordinal());
        }
        return String.format("%04o", bits);
    }

    private static String sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
