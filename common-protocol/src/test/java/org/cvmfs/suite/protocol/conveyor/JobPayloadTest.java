package org.cvmfs.suite.protocol.conveyor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class JobPayloadTest {
    @Test
    void tutorialPayload() {
        JobPayload p = JobPayload.parse("script|http://s:9000/cvmfs-publisher-test/test_transaction.sh?checksum=sha1:6a5f9462608383fb65e6c0f7211148974bdbdc3d"
                + "|http://s:9000/ripgrep/ripgrep-0.1.0-x86_64-unknown-linux-musl.tar.gz|ignored");
        assertEquals("script", p.type());
        assertEquals("http://s:9000/ripgrep/ripgrep-0.1.0-x86_64-unknown-linux-musl.tar.gz", p.argument());
        assertEquals(new JobPayload.Checksum("sha1", "6a5f9462608383fb65e6c0f7211148974bdbdc3d"), p.checksum().orElseThrow());
        assertEquals(Path.of("/tmp/conveyor-worker/cvmfs-publisher-test/test_transaction.sh"),
                p.localTarget(Path.of("/tmp/conveyor-worker")));
    }

    @Test
    void argumentIsOptionalAndChecksumInferredFromLength() {
        JobPayload p = JobPayload.parse("script|http://h/a.sh?checksum=" + "ab".repeat(32));
        assertEquals("", p.argument());
        assertEquals("sha256", p.checksum().orElseThrow().algorithm());
        assertEquals("md5", JobPayload.parse("script|http://h/a.sh?checksum=" + "ab".repeat(16)).checksum().orElseThrow().algorithm());
        assertTrue(JobPayload.parse("script|http://h/a.sh").checksum().isEmpty());
    }

    @Test
    void invalidPayloads() {
        for (String bad : new String[] {"", "script", "tarball|http://h/a", "http://h/a.sh"}) {
            assertEquals("invalid payload string", assertThrows(MalformedJobException.class, () -> JobPayload.parse(bad)).getMessage());
        }
        assertEquals("invalid checksum", assertThrows(MalformedJobException.class,
                () -> JobPayload.parse("script|http://h/a.sh?checksum=abc")).getMessage());
        assertEquals("invalid checksum", assertThrows(MalformedJobException.class,
                () -> JobPayload.parse("script|http://h/a.sh?checksum=crc:" + "ab".repeat(20))).getMessage());
    }

    @Test
    void dotDotCannotEscapeTempDir() {
        JobPayload p = JobPayload.parse("script|http://h/a/../../../etc/cron.d/x");
        assertThrows(MalformedJobException.class, () -> p.localTarget(Path.of("/tmp/conveyor-worker")));
        JobPayload inside = JobPayload.parse("script|http://h/a/../b/x.sh");
        assertEquals(Path.of("/tmp/w/b/x.sh"), inside.localTarget(Path.of("/tmp/w")));
    }
}
