package org.cvmfs.suite.protocol.repository.check;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.repository.check.CheckReport.Fault;

/**
 * {@code cvmfs_server check -i}: every file of the local {@code data/} must be named by the hash
 * of its stored bytes, referenced or not (what upstream's {@code swissknife scrub} checks). A
 * corrupt object that no revision references yet would otherwise surface only when a later
 * publication deduplicates against it.
 */
final class StorageScrub {
    private StorageScrub() {
    }

    /** Reports each misnamed or unreadable file; returns how many files were hashed. */
    static long scrub(Path dataDir, Consumer<Fault> faults) {
        long hashed = 0;
        try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(dataDir,
                p -> p.getFileName().toString().matches("[0-9a-f]{2}") && Files.isDirectory(p))) {
            for (Path prefix : prefixes) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(prefix)) {
                    for (Path file : files) {
                        String name = prefix.getFileName() + "/" + file.getFileName();
                        ContentHash expected;
                        try {
                            expected = ContentHash.parseSuffixed(prefix.getFileName().toString()
                                    + file.getFileName());
                        } catch (IllegalArgumentException e) {
                            faults.accept(new Fault(FaultKind.OBJECT, "storage: data/" + name
                                    + " is not named like an object"));
                            continue;
                        }
                        if (!Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                            faults.accept(new Fault(FaultKind.OBJECT, "storage: data/" + name + " is not a regular file"));
                            continue;
                        }
                        hashed++;
                        if (!expected.matches(Files.readAllBytes(file))) {
                            faults.accept(new Fault(FaultKind.OBJECT, "storage: data/" + name
                                    + " does not hash to its name"));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot scrub " + dataDir, e);
        }
        return hashed;
    }
}
