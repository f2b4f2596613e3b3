package org.cvmfs.suite.protocol.store;

/** A file at the repository root ({@code .cvmfspublished}, {@code .cvmfsreflog}, ...) that is not there. */
public class MissingRootFileException extends RuntimeException {
    private final String name;

    public MissingRootFileException(String name, String where) {
        super("root file " + name + " is missing from " + where);
        this.name = name;
    }

    public String name() {
        return name;
    }
}
