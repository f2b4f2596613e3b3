package org.cvmfs.suite.protocol.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Copies a fixture tree to a scratch directory, so a test can damage it without touching the ground truth. */
public final class TreeCopy {
    private TreeCopy() {
    }

    public static Path copy(Path source, Path target) {
        try (var walk = Files.walk(source)) {
            List<Path> paths = walk.toList();
            for (Path p : paths) {
                Path dest = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source + " to " + target, e);
        }
    }
}
