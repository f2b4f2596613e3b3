package org.cvmfs.suite.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.CatalogTestAccess;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.history.Reflog;
import org.cvmfs.suite.protocol.history.Tag;
import org.cvmfs.suite.protocol.history.TagDatabase;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.repository.CheckOptions;
import org.cvmfs.suite.protocol.repository.CheckReport;
import org.cvmfs.suite.protocol.repository.RepositoryChecker;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;

/** What a repository of the test host serves now, read straight from its storage. */
public final class Published {
    private final RepositoryLayout layout;
    private final Path scratch;

    public Published(RepositoryLayout layout, Path scratch) {
        this.layout = layout;
        this.scratch = scratch;
    }

    public Manifest manifest() {
        try {
            return SignedManifest.parse(Files.readAllBytes(layout.manifest())).manifest();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private LocalRepositorySource source() {
        return new LocalRepositorySource(layout.servedRoot());
    }

    /** Every entry of the head in the form of the fixture's {@code facts.json}. */
    public Map<String, Map<String, Object>> namespace() {
        return read(CatalogTestAccess::facts);
    }

    public Optional<DirectoryEntry> lookup(String path) {
        return read(tree -> tree.lookup(RepositoryPath.of(path)));
    }

    /** Reads the head's catalogs. */
    public <T> T read(Function<CatalogHierarchy, T> reader) {
        try (CatalogHierarchy tree = CatalogHierarchy.open(source(), manifest().rootCatalog(), scratch)) {
            return reader.apply(tree);
        }
    }

    public List<Tag> tags() {
        try (TagDatabase history = TagDatabase.fetch(source(), manifest().history(), scratch)) {
            return history.tags();
        }
    }

    public List<Reflog.Entry> reflog() {
        try (Reflog reflog = Reflog.fetch(source(), manifest().reflog(), scratch)) {
            return reflog.entries();
        }
    }

    /** {@code cvmfs_server check} with object existence, trusting the host's master public key. */
    public CheckReport check(Clock clock) {
        return new RepositoryChecker(clock, scratch).checkLocal(layout, CheckOptions.full());
    }
}
