package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the lower tree is touched: only if its record does not prove it holds the head's subtree. */
class LowerTreeTest {
    private static final RepositoryPath SW = RepositoryPath.of("/sw");
    private static final ContentHash SWEPT = ContentHash.parseSuffixed("36648c0a923fdaca587f5440b541360c2d501ce3C");

    @TempDir
    Path tmp;
    final List<String> warnings = new ArrayList<>();

    private LowerTree.Outcome bringUpToDate(String state) {
        Path served = Fixtures.gatewayPublication().resolve(state);
        LocalRepositorySource source = new LocalRepositorySource(served);
        Manifest head = Manifest.parseBody(source.fetchRootFile(".cvmfspublished"));
        ObjectCache cache = new ObjectCache(source, new ObjectStore(tmp.resolve("cache")));
        PublisherSpool spool = new PublisherSpool(tmp.resolve("spool"));
        return new LowerTree(cache, spool, tmp.resolve("catalogs")).bringUpToDate(head.rootCatalog(), SW, 2,
                warnings::add, tmp.resolve("probe"));
    }

    @Test
    void aRecordedHeadIsNotTouchedAndAChangedSubtreeIsCaughtUpIncrementally() {
        LowerTree.Outcome first = bringUpToDate("after-a");
        assertTrue(first.materialized());
        assertEquals(11, first.filesWritten());

        assertFalse(bringUpToDate("after-a").materialized());

        LowerTree.Outcome changed = bringUpToDate("after-b");
        assertTrue(changed.materialized());
        assertEquals(2, changed.filesWritten(), "version.txt and added.txt");
        assertEquals(6, changed.filesKept());
    }

    @Test
    void aRecordedRootTheStratum0NoLongerHasIsCaughtUpInsteadOfFailing() {
        bringUpToDate("after-a");
        PublisherSpool spool = new PublisherSpool(tmp.resolve("spool"));
        LowerRecord record = new LowerRecord(spool.lowerRecordFile());
        record.current(SWEPT, SW);

        LowerTree.Outcome again = bringUpToDate("after-a");

        assertTrue(again.materialized());
        assertEquals(0, again.filesWritten());
        assertTrue(record.current().isPresent());
        assertTrue(Files.isDirectory(spool.lowerTree()));
    }
}
