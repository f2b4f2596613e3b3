package org.cvmfs.suite.protocol.store;

import java.util.regex.Pattern;

/** Guards the one place where a caller-chosen name becomes part of a path or URL. */
final class RootFileNames {
    /** Every root file upstream serves ({@code .cvmfspublished}, {@code .cvmfsalt-<hash>X}, ...) fits this. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._-]+");

    private RootFileNames() {
    }

    /** Refuses anything but a plain file name at the repository root: no {@code /}, no {@code ..}, no NUL. */
    static String require(String name) {
        if (name == null || !PLAIN.matcher(name).matches() || name.equals(".") || name.contains("..")) {
            throw new IllegalArgumentException("not a repository root file name: '"
                    + (name == null ? "null" : name.replace("\0", "\\0")) + "'");
        }
        return name;
    }
}
