package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When a lower tree is touched: only if its record does not prove it holds the head's subtree;
 * one tree per lease path, the least recently used beyond {@link LowerTree#KEPT} removed.
 */
class LowerTreeTest {
    private static final RepositoryPath SW = RepositoryPath.of("/sw");
    private static final ContentHash SWEPT = ContentHash.parseSuffixed("36648c0a923fdaca587f5440b541360c2d501ce3C");

    @TempDir
    Path tmp;
    final List<String> warnings = new ArrayList<>();

    private LowerTree.Outcome bringUpToDate(String state) {
        return bringUpToDate(state, SW);
    }

    private LowerTree.Outcome bringUpToDate(String state, RepositoryPath leasePath) {
        Path served = Fixtures.gatewayPublication().resolve(state);
        LocalRepositorySource source = new LocalRepositorySource(served);
        Manifest head = Manifest.parseBody(source.fetchRootFile(".cvmfspublished"));
        ObjectCache cache = new ObjectCache(source, new ObjectStore(tmp.resolve("cache")));
        PublisherSpool spool = new PublisherSpool(tmp.resolve("spool"));
        return new LowerTree(cache, spool, tmp.resolve("catalogs")).bringUpToDate(head.rootCatalog(), leasePath, 2,
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
        LowerRecord record = new LowerRecord(spool.lowerRecordFile(SW));
        record.current(SWEPT, SW);

        LowerTree.Outcome again = bringUpToDate("after-a");

        assertTrue(again.materialized());
        assertEquals(0, again.filesWritten());
        assertTrue(record.current().isPresent());
        assertTrue(Files.isDirectory(spool.lowerTree(SW)));
    }

    @Test
    void transactionsThatAlternateBetweenPathsKeepATreeForEach() {
        RepositoryPath lib = RepositoryPath.of("/sw/lib");
        assertTrue(bringUpToDate("after-a", SW).materialized());
        assertTrue(bringUpToDate("after-a", lib).materialized());

        assertFalse(bringUpToDate("after-a", SW).materialized(), "/sw's tree stayed while /sw/lib was open");
        assertFalse(bringUpToDate("after-a", lib).materialized());
        PublisherSpool spool = new PublisherSpool(tmp.resolve("spool"));
        assertTrue(Files.isRegularFile(spool.lowerTree(SW).resolve("lib/version.txt")));
        assertTrue(Files.isRegularFile(spool.lowerTree(lib).resolve("version.txt")));
    }

    @Test
    void onlyTheMostRecentlyUsedTreesStayAndLeftoversGo() throws Exception {
        PublisherSpool spool = new PublisherSpool(tmp.resolve("spool"));
        List<Path> others = new ArrayList<>();
        for (int i = 0; i < LowerTree.KEPT + 1; i++) {
            Path tree = spool.lowerTree(RepositoryPath.of("/old" + i));
            Files.createDirectories(tree);
            Files.writeString(tree.resolve("file"), "x");
            // /old0 used longest ago
            Files.setLastModifiedTime(tree.getParent(), FileTime.fromMillis(1_000_000L * (i + 1)));
            others.add(tree.getParent());
        }
        Path cutShort = Files.createDirectories(spool.lowerTrees().resolve(".removed-0123/tree/deep"));
        Path former = Files.createDirectories(tmp.resolve("spool/publisher/lower/sub"));
        Files.writeString(tmp.resolve("spool/publisher/lower.record"), "current");
        Files.writeString(tmp.resolve("spool/publisher/lower.snapshot"), "x");

        bringUpToDate("after-a", SW);

        try (Stream<Path> left = Files.list(spool.lowerTrees())) {
            assertEquals(Set.copyOf(others.subList(others.size() - (LowerTree.KEPT - 1), others.size())),
                    left.filter(p -> !p.equals(spool.lowerTree(SW).getParent())).collect(Collectors.toSet()),
                    "the " + (LowerTree.KEPT - 1) + " most recently used beside /sw's");
        }
        assertTrue(Files.isDirectory(spool.lowerTree(SW)));
        assertFalse(Files.exists(cutShort.getParent().getParent()), "a removal cut short is finished");
        assertFalse(Files.exists(former.getParent()), "the single lower tree of earlier versions is gone");
        assertFalse(Files.exists(tmp.resolve("spool/publisher/lower.record")));
        assertFalse(Files.exists(tmp.resolve("spool/publisher/lower.snapshot")));
    }

    @Test
    void theSingleTreeOfEarlierVersionsIsTakenOverByItsLeasePath() throws Exception {
        assertTrue(bringUpToDate("after-a", SW).materialized());
        PublisherSpool spool = new PublisherSpool(tmp.resolve("spool"));
        Path publisher = tmp.resolve("spool/publisher");
        // the layout an earlier version left: one tree, its record and snapshot beside it
        Files.move(spool.lowerTree(SW), publisher.resolve("lower"));
        Files.move(spool.lowerRecordFile(SW), publisher.resolve("lower.record"));
        Files.move(spool.lowerSnapshotFile(SW), publisher.resolve("lower.snapshot"));

        LowerTree.Outcome adopted = bringUpToDate("after-a", SW);

        assertFalse(adopted.materialized(), "taken over as it was, not fetched again");
        assertTrue(Files.isRegularFile(spool.lowerTree(SW).resolve("lib/version.txt")));
        assertTrue(Files.isRegularFile(spool.lowerSnapshotFile(SW)));
        assertFalse(Files.exists(publisher.resolve("lower")));

        // cut short after the tree moved: the record still at its former place is moved by the next run
        Files.move(spool.lowerRecordFile(SW), publisher.resolve("lower.record"));
        LowerTree.adoptFormerTree(spool);
        assertEquals(SW, new LowerRecord(spool.lowerRecordFile(SW)).current().orElseThrow().leasePath());
        assertFalse(Files.exists(publisher.resolve("lower.record")));
    }
}
