package org.cvmfs.suite.protocol.repository;

import java.util.regex.Pattern;

/**
 * A fully qualified repository name ({@code test.example.org}). It becomes a file name under
 * {@code /etc/cvmfs/keys}, {@code /srv/cvmfs} and {@code /var/spool/cvmfs}, so anything that could
 * escape those directories is refused here, once.
 */
public final class RepositoryName {
    /** Upstream's documented limit (cpt-repo.rst). */
    public static final int MAX_LENGTH = 60;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private RepositoryName() {
    }

    public static boolean isValid(String fqrn) {
        return fqrn != null && !fqrn.isEmpty() && fqrn.length() <= MAX_LENGTH
                && VALID.matcher(fqrn).matches() && !fqrn.contains("..");
    }

    /** Returns {@code fqrn} if it is a valid repository name, else throws naming the fault. */
    public static String validate(String fqrn) {
        if (fqrn == null || fqrn.isEmpty()) {
            throw new IllegalArgumentException("repository name is empty");
        }
        if (fqrn.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("repository name '" + fqrn.substring(0, MAX_LENGTH)
                    + "...' is longer than " + MAX_LENGTH + " characters");
        }
        if (!VALID.matcher(fqrn).matches() || fqrn.contains("..")) {
            throw new IllegalArgumentException("invalid repository name '" + fqrn
                    + "' (letters, digits, '-', '_' and '.' only, starting with a letter or digit)");
        }
        return fqrn;
    }
}
