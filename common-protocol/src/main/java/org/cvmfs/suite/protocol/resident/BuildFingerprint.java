package org.cvmfs.suite.protocol.resident;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Which build of the suite a JVM runs: name, size, time and inode of every entry of its class
 * path, as the launcher names a class-data-sharing archive. The {@link ResidentServer} takes it
 * at start and compares it before every request, so that after a rebuild or an upgrade (new
 * jars under the same suite home) no command runs on the old code — nor on a jar replaced under
 * the running JVM — and the caller falls back to a JVM of the new build.
 */
final class BuildFingerprint {
    private final List<Path> classPath;
    private final String value;

    private BuildFingerprint(List<Path> classPath) {
        this.classPath = classPath;
        this.value = current();
    }

    /** Of this JVM's class path. */
    static BuildFingerprint ofThisJvm() {
        return new BuildFingerprint(List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .filter(s -> !s.isEmpty()).map(Path::of).toList());
    }

    /** Whether the class path is still the one taken at start. */
    boolean unchanged() {
        return value.equals(current());
    }

    /** Short hex digest, for the state file. */
    String digest() {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha, 0, 8);
        } catch (NoSuchAlgorithmException everyJvmHasIt) {
            throw new IllegalStateException(everyJvmHasIt);
        }
    }

    private String current() {
        StringBuilder text = new StringBuilder();
        for (Path entry : classPath) {
            text.append(entry).append(' ');
            try {
                BasicFileAttributes a = Files.readAttributes(entry, BasicFileAttributes.class);
                text.append(a.size()).append(' ').append(a.lastModifiedTime().toMillis()).append(' ').append(a.fileKey());
            } catch (IOException gone) {
                text.append("missing");
            }
            text.append('\n');
        }
        return text.toString();
    }
}
