package org.cvmfs.suite.protocol.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The one way to handle whole directory trees: private scratch directories, recursive removal
 * and recursive copy. Symbolic links are never followed: removal deletes the link, copy copies it
 * as a link, so neither can reach outside the tree it was given.
 */
public final class DirectoryTree {
    private static final Set<PosixFilePermission> OWNER_RWX = PosixFilePermissions.fromString("rwx------");

    private DirectoryTree() {
    }

    /** A new, empty directory under {@code parent} (created if missing), its name starting with {@code prefix}. */
    public static Path createScratch(Path parent, String prefix) {
        try {
            Files.createDirectories(parent);
            return Files.createTempDirectory(parent, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch directory in " + parent, e);
        }
    }

    /**
     * Deletes {@code root} and everything below it; symbolic links are removed, not followed. Absent
     * is fine. A directory we may not list or change (a published tree keeps the modes of its
     * files, {@code 0555} included) is given {@code u+rwx} first.
     */
    public static void delete(Path root) {
        try {
            deleteBelow(root);
        } catch (NoSuchFileException gone) {
            // removed meanwhile: nothing left to remove
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + root, e);
        }
    }

    private static void deleteBelow(Path path) throws IOException {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            if (!(Files.isReadable(path) && Files.isWritable(path) && Files.isExecutable(path))) {
                Files.setPosixFilePermissions(path, OWNER_RWX);
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
                for (Path child : children) {
                    deleteBelow(child);
                }
            }
        }
        Files.deleteIfExists(path);
    }

    /**
     * Copies {@code source} and everything below it to {@code target} (created with its parents
     * if missing): directories are created, regular files and symbolic links copied (links as
     * links), files already at the target replaced. Returns {@code target}.
     */
    public static Path copy(Path source, Path target) {
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path p : walk.toList()) {
                Path dest = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source + " to " + target, e);
        }
    }
}
