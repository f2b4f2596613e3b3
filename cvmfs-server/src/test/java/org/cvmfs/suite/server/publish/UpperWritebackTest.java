package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upper layer's writeback runs {@code sync -f} beside the publication; a failure is a warning, never a failed publish. */
class UpperWritebackTest {
    @TempDir
    Path dir;

    @Test
    void writesOutTheFileSystemOfTheUpperLayer() throws Exception {
        Files.writeString(dir.resolve("changed.txt"), "new content\n");
        List<String> warnings = new ArrayList<>();
        UpperWriteback writeback = UpperWriteback.start(dir, warnings::add);

        writeback.await(warnings::add);
        assertEquals(List.of(), warnings);
    }

    @Test
    void aFailedSyncIsAWarning() {
        List<String> warnings = new ArrayList<>();
        Path gone = dir.resolve("gone");
        UpperWriteback.start(gone, warnings::add).await(warnings::add);

        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("sync -f " + gone + " exited with "), warnings.get(0));
    }
}
