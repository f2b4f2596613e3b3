package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.name.RawName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EntryLogTest {
    @TempDir
    Path tmp;

    private static ScannedEntry entry(int i) {
        return new ScannedEntry(RepositoryPath.of("/sw/f" + i), 0100644, 1000 + i, 2000 + i, i, 1_700_000_000_123L + i,
                1_700_000_001_456L + i, 42, 100 + i, 1 + i % 3, "");
    }

    @Test
    void keepsItsFirstEntriesInMemoryAndSpillsAllOfThemBeyond() throws Exception {
        try (EntryLog<ScannedEntry> log = new EntryLog<>(ChangeSet.ENTRIES, tmp, 3)) {
            List<ScannedEntry> written = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                written.add(entry(i));
                log.add(entry(i));
            }
            assertFalse(log.spilled());
            try (var files = Files.list(tmp)) {
                assertEquals(0, files.count());
            }
            written.add(entry(3));
            log.add(entry(3));
            assertTrue(log.spilled(), "the entry beyond the limit goes to the file");
            for (int i = 4; i < 1000; i++) {
                written.add(entry(i));
                log.add(entry(i));
            }
            assertTrue(log.spilled());
            assertEquals(1000, log.size());
            // read back in order, as often as asked, also two readers at once
            var first = log.iterator();
            assertEquals(written, log.stream().toList());
            List<ScannedEntry> again = new ArrayList<>();
            first.forEachRemaining(again::add);
            assertEquals(written, again);
        }
        try (var files = Files.list(tmp)) {
            assertEquals(0, files.count(), "the log's file is deleted when it is closed");
        }
    }

    @Test
    void carriesEveryAttributeRawNamesAndModifications() {
        String raw = RawName.decode(new byte[] {'l', (byte) 0xff, 'x'});
        ScannedEntry link = new ScannedEntry(RepositoryPath.of("/sw/" + raw), 0120777, 0, 0, 5, -1_000_000_001L, 7,
                Long.MAX_VALUE, -1, 1, "../t\u00e4rget/" + raw);
        ScannedEntry dir = new ScannedEntry(RepositoryPath.of("/sw/d"), 040755, 4294967294L, 4294967294L, 4096, 1, 2,
                3, 4, 2, "");
        ChangeSet.Modification changed = new ChangeSet.Modification(dir,
                new ScannedEntry(dir.path(), 040700, 1, 2, 4096, 5, 6, 3, 4, 2, ""), false);
        try (EntryLog<ScannedEntry> entries = new EntryLog<>(ChangeSet.ENTRIES, tmp, 0);
             EntryLog<ChangeSet.Modification> modifications = new EntryLog<>(ChangeSet.MODIFICATIONS, tmp, 0)) {
            entries.add(link);
            entries.add(dir);
            modifications.add(changed);
            assertTrue(entries.spilled());
            assertEquals(List.of(link, dir), entries.stream().toList());
            assertEquals(List.of(changed), modifications.stream().toList());
        }
    }

    @Test
    void anInMemoryLogNeverSpills() {
        EntryLog<ScannedEntry> log = EntryLog.inMemory();
        for (int i = 0; i < 10_000; i++) {
            log.add(entry(i));
        }
        assertFalse(log.spilled());
        assertEquals(entry(9_999), log.stream().skip(9_999).findFirst().orElseThrow());
        log.close();
    }
}
