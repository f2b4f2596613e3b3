package org.cvmfs.suite.protocol.testing;

import java.nio.file.Path;
import org.cvmfs.suite.protocol.files.DirectoryTree;

/**
 * Copies a fixture tree to a scratch directory, so a test can damage it without touching the
 * ground truth. Kept only for callers on other branches; new code calls {@link DirectoryTree#copy}.
 */
@Deprecated
public final class TreeCopy {
    private TreeCopy() {
    }

    public static Path copy(Path source, Path target) {
        return DirectoryTree.copy(source, target);
    }
}
