package org.cvmfs.suite.protocol.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether a system shared library is installed, so that a test of a native binding can tell "not
 * installed here" (skip) from "installed but not bound" (fail).
 */
public final class SharedLibraries {
    private static final List<Path> DIRECTORIES = List.of(Path.of("/usr/lib/x86_64-linux-gnu"),
            Path.of("/usr/lib64"), Path.of("/usr/lib"), Path.of("/lib/x86_64-linux-gnu"));

    private SharedLibraries() {
    }

    /** True if any of {@code fileNames} (such as {@code libcrypto.so.3}) is in a system library directory. */
    public static boolean installed(String... fileNames) {
        for (Path dir : DIRECTORIES) {
            for (String name : fileNames) {
                if (Files.exists(dir.resolve(name))) {
                    return true;
                }
            }
        }
        return false;
    }
}
