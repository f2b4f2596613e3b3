package org.cvmfs.suite.protocol.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Private scratch directories for staged catalogs and databases, and their removal. */
public final class DirectoryTree {
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

    /** Deletes {@code root} and everything below it; symbolic links are removed, not followed. Absent is fine. */
    public static void delete(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + root, e);
        }
    }
}
