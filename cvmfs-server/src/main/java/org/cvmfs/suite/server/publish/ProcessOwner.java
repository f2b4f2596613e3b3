package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The user and group this process runs as, which own what a tarball ingest writes (as upstream's
 * ingest does) and decide whether bind mounts are worth trying. Read from the owner of
 * {@code /proc/self}, which the kernel gives the process's effective ids, instead of a JDK-internal
 * class.
 */
public record ProcessOwner(long uid, long gid) {
    public static ProcessOwner current() {
        Path self = Path.of("/proc/self");
        try {
            return new ProcessOwner(((Number) Files.getAttribute(self, "unix:uid")).longValue(),
                    ((Number) Files.getAttribute(self, "unix:gid")).longValue());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the owner of " + self, e);
        }
    }

    public boolean isRoot() {
        return uid == 0;
    }
}
