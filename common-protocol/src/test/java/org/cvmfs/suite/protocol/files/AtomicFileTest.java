package org.cvmfs.suite.protocol.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir
    Path dir;

    @Test
    void replacesWithTheRequestedModeAndLeavesNoTemporaryFile() throws IOException {
        Path token = dir.resolve("session_token");
        AtomicFile.replace(token, "old".getBytes(StandardCharsets.US_ASCII), AtomicFile.OWNER_ONLY);
        AtomicFile.replace(token, "new".getBytes(StandardCharsets.US_ASCII), AtomicFile.OWNER_ONLY);
        assertEquals("new", Files.readString(token));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
        Path served = dir.resolve(".cvmfspublished");
        AtomicFile.replace(served, new byte[] {1, 2, 3});
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(served)));
        assertEquals(List.of(".cvmfspublished", "session_token"), names());
    }

    @Test
    void aFailedWriteKeepsTheOldContentAndRemovesItsTemporaryFile() throws IOException {
        Path state = dir.resolve("transaction.json");
        AtomicFile.replace(state, "{\"phase\":\"OPEN\"}".getBytes(StandardCharsets.UTF_8), AtomicFile.OWNER_ONLY);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () ->
                AtomicFile.replace(state, AtomicFile.OWNER_ONLY, out -> {
                    out.write(new byte[100_000]);
                    throw new IOException("disk full");
                }));
        assertEquals("disk full", e.getCause().getMessage());
        assertArrayEquals("{\"phase\":\"OPEN\"}".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(state));
        assertEquals(List.of("transaction.json"), names());
    }

    @Test
    void streamsLargeContent() throws IOException {
        Path big = dir.resolve("work.snapshot");
        AtomicFile.replace(big, AtomicFile.OWNER_ONLY, out -> {
            for (int i = 0; i < 1000; i++) {
                out.write(new byte[1000]);
            }
        });
        assertEquals(1_000_000, Files.size(big));
    }

    private List<String> names() throws IOException {
        try (Stream<Path> all = Files.list(dir)) {
            return all.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
