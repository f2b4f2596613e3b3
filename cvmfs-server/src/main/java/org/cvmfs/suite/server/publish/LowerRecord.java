package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.files.AtomicFile;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.name.RawName;

/**
 * What the spool's lower tree holds: "the subtree at this lease path as of this root catalog",
 * or nothing trustworthy. The record is the only thing that lets a transaction skip
 * materialising, so whoever changes the lower tree first {@link #forget}s it (or marks it
 * {@link #folding}), and records it {@link #current} again only when the tree is complete.
 * Replaced atomically: a crash leaves the old record or the new one.
 */
final class LowerRecord {
    private static final String CURRENT = "current";
    private static final String FOLDING = "folding";

    /** The lower tree holds {@code leasePath} exactly as root catalog {@code root} has it. */
    record Current(ContentHash root, RepositoryPath leasePath) {
    }

    private final Path file;

    LowerRecord(Path file) {
        this.file = file;
    }

    /** The tree's state if it is recorded complete; empty when absent, folding or unreadable. */
    Optional<Current> current() {
        String[] lines = read().orElse(FOLDING).split("\n", 3);
        if (lines.length != 3 || !lines[0].equals(CURRENT)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Current(ContentHash.parseSuffixed(lines[1]), RepositoryPath.of(lines[2])));
        } catch (IllegalArgumentException damaged) {
            return Optional.empty();
        }
    }

    /** True while a fold started and did not finish. */
    boolean isFolding() {
        return read().filter(FOLDING::equals).isPresent();
    }

    void current(ContentHash root, RepositoryPath leasePath) {
        write(CURRENT + "\n" + root.toSuffixedText() + "\n" + leasePath);
    }

    void folding() {
        write(FOLDING);
    }

    /** The lower tree is about to change in a way that is not a fold: nothing about it is known. */
    void forget() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file, e);
        }
    }

    private Optional<String> read() {
        try {
            return Optional.of(RawName.decode(Files.readAllBytes(file)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private void write(String text) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file.getParent(), e);
        }
        AtomicFile.replace(file, RawName.encode(text), AtomicFile.OWNER_ONLY);
    }
}
