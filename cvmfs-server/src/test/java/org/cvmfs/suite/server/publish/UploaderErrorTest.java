package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.protocol.ingest.ContentProcessor;
import org.cvmfs.suite.protocol.ingest.IngestSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upload that dies of an {@link Error} (not an exception) must end the publication with that
 * error, not hang it: before the fix the uploader thread died, the processing threads blocked
 * forever handing it packs, and {@link ContentProcessor#close()} waited for them forever.
 * The timeout only turns such a hang into a failure; it measures nothing.
 */
class UploaderErrorTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anErrorInTheUploadEndsProcessingAndClose() throws Exception {
        AssertionError death = new AssertionError("uploader died");
        Random random = new Random(9);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] b = new byte[2000];
            random.nextBytes(b);
            files.add(Files.write(tmp.resolve("f" + i), b));
        }
        Path spool = tmp.resolve("spool");
        // one object per pack and a queue of one: the processing threads must block on the dead uploader
        PackUploader uploader = new PackUploader(pack -> {
            throw death;
        }, spool, 10, 1, 1);
        ContentProcessor processor = new ContentProcessor(IngestSettings.defaults(), uploader, 2, tmp.resolve("staging"));
        RuntimeException refused = assertThrows(RuntimeException.class, () -> processor.processAll(files));
        processor.close();
        assertSame(death, refused.getCause(), "the publication fails with the upload's error");
        IllegalStateException finished = assertThrows(IllegalStateException.class, uploader::finish);
        assertSame(death, finished.getCause());
        uploader.close();
        try (var left = Files.list(spool)) {
            assertEquals(0, left.count(), "spool files left");
        }
    }
}
