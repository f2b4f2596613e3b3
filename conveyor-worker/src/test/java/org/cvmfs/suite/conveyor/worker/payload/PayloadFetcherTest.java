package org.cvmfs.suite.conveyor.worker.payload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.cvmfs.suite.conveyor.worker.failure.JobFailure;
import org.cvmfs.suite.protocol.conveyor.JobPayload;
import org.cvmfs.suite.protocol.testing.FreePorts;
import org.cvmfs.suite.protocol.testing.StaticHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PayloadFetcherTest {
    static final byte[] SCRIPT = "#!/bin/sh\necho hello\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;
    Path served;
    Path temp;
    StaticHttpServer http;

    @BeforeEach
    void serve() throws Exception {
        served = Files.createDirectories(dir.resolve("www/staging"));
        Files.write(served.resolve("job.sh"), SCRIPT);
        temp = dir.resolve("temp");
        http = StaticHttpServer.serve(dir.resolve("www"));
    }

    @AfterEach
    void stop() {
        http.close();
    }

    static String sha1(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
    }

    JobPayload payload(String url) {
        return JobPayload.parse("script|" + url + "|arg");
    }

    @Test
    void downloadsVerifiesAndMakesExecutableUnderTempDir() throws Exception {
        Path got = new PayloadFetcher(temp, true).fetch(payload(http.url("staging/job.sh") + "?checksum=sha1:" + sha1(SCRIPT)));
        assertEquals(temp.resolve("staging/job.sh"), got);
        assertArrayEquals(SCRIPT, Files.readAllBytes(got));
        assertTrue(Files.isExecutable(got));
        assertEquals(List.of(got.getFileName()), Files.list(got.getParent()).map(Path::getFileName).toList());
    }

    @Test
    void checksumMismatchIsAJobErrorAndLeavesNoScript() throws Exception {
        String wrong = sha1("other".getBytes(StandardCharsets.US_ASCII));
        JobFailure e = assertThrows(JobFailure.class,
                () -> new PayloadFetcher(temp, false).fetch(payload(http.url("staging/job.sh") + "?checksum=" + wrong)));
        assertEquals("destination file failed integrity check: hash mismatch - expected: [" + wrong + "], found: ["
                + sha1(SCRIPT) + "]", e.getMessage());
        assertFalse(e.retryable());
        assertEquals(0, Files.list(temp.resolve("staging")).count());
    }

    @Test
    void notFoundIsRefusedNotSavedAsTheScript() {
        JobFailure e = assertThrows(JobFailure.class,
                () -> new PayloadFetcher(temp, false).fetch(payload(http.url("staging/missing.sh").toString())));
        assertTrue(e.getMessage().endsWith("answered HTTP 404"), e.getMessage());
        assertFalse(e.retryable());
        assertFalse(Files.exists(temp.resolve("staging/missing.sh")));
    }

    @Test
    void dotDotInThePathCannotLeaveTempDir() {
        for (String path : List.of("/staging/../../escape.sh", "/%2e%2e/%2e%2e/escape.sh", "/a/../../escape.sh")) {
            JobFailure e = assertThrows(JobFailure.class, () -> new PayloadFetcher(temp, false)
                    .fetch(payload("http://127.0.0.1:" + FreePorts.next() + path)), path);
            assertTrue(e.getMessage().contains("escapes temp_dir"), e.getMessage());
            assertFalse(Files.exists(dir.resolve("escape.sh")));
        }
    }

    @Test
    void unreachableHostIsARetryableJobError() throws Exception {
        JobFailure e = assertThrows(JobFailure.class, () -> new PayloadFetcher(temp, false)
                .fetch(payload("http://127.0.0.1:" + FreePorts.next() + "/job.sh")));
        assertTrue(e.getMessage().startsWith("could not download payload http://127.0.0.1:"), e.getMessage());
        assertTrue(e.retryable());
    }

    @Test
    void requireChecksumRefusesAPlainUrlAndOnlyHttpIsFetched() {
        JobFailure e = assertThrows(JobFailure.class,
                () -> new PayloadFetcher(temp, true).fetch(payload(http.url("staging/job.sh").toString())));
        assertTrue(e.getMessage().contains("require_checksum"), e.getMessage());
        JobFailure file = assertThrows(JobFailure.class,
                () -> new PayloadFetcher(temp, false).fetch(payload("file:///etc/passwd")));
        assertTrue(file.getMessage().contains("only http and https"), file.getMessage());
        assertFalse(Files.exists(temp.resolve("etc/passwd")));
    }

    @Test
    void aVerifiedCopyIsReusedWithoutDownloading() throws Exception {
        String url = http.url("staging/job.sh") + "?checksum=sha1:" + sha1(SCRIPT);
        Path first = new PayloadFetcher(temp, false).fetch(payload(url));
        Files.delete(served.resolve("job.sh"));
        assertEquals(first, new PayloadFetcher(temp, false).fetch(payload(url)));
    }
}
