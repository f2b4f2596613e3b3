package org.cvmfs.suite.protocol.repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The user a repository belongs to ({@code CVMFS_USER}, {@code mkfs -o}); its numeric ids own the
 * root directory entry of the new repository.
 */
public record RepositoryOwner(String name, long uid, long gid) {
    private static final Path PASSWD = Path.of("/etc/passwd");

    public RepositoryOwner {
        if (name == null || name.isEmpty() || name.contains(":") || name.contains("\n")) {
            throw new IllegalArgumentException("invalid user name '" + name + "'");
        }
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("user " + name + " has negative uid/gid " + uid + "/" + gid);
        }
    }

    /** The user running this process. */
    public static RepositoryOwner current() {
        var unix = new com.sun.security.auth.module.UnixSystem();
        return new RepositoryOwner(unix.getUsername(), unix.getUid(), unix.getGid());
    }

    /** Looks {@code name} up in {@code /etc/passwd}; refuses an unknown user. */
    public static RepositoryOwner lookup(String name) {
        return lookup(name, PASSWD);
    }

    static RepositoryOwner lookup(String name, Path passwd) {
        List<String> lines;
        try {
            lines = Files.readAllLines(passwd);
        } catch (NoSuchFileException e) {
            throw new RepositoryException("cannot look up user '" + name + "': " + passwd + " does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + passwd, e);
        }
        for (String line : lines) {
            String[] f = line.split(":", -1);
            if (f.length >= 4 && f[0].equals(name)) {
                try {
                    return new RepositoryOwner(name, Long.parseLong(f[2]), Long.parseLong(f[3]));
                } catch (NumberFormatException e) {
                    throw new RepositoryException(passwd + ": entry of '" + name + "' has a malformed uid/gid");
                }
            }
        }
        throw new RepositoryException("unknown user '" + name + "' (not in " + passwd + ")");
    }
}
