package org.cvmfs.suite.protocol.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.protocol.testing.JavaProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ProcessLock}: a thread nests; another thread of this JVM waits (or gives up after its
 * time) without ever freeing the file for other processes, which are refused the kernel's lock
 * for as long as any hold of this JVM lasts and get it once the last one is closed.
 */
class ProcessLockTest {
    @TempDir
    Path dir;

    /** Exits 0 if it could take the kernel's lock on the file named, 3 if another process holds it. */
    public static void main(String[] args) throws Exception {
        try (FileChannel c = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            System.exit(c.tryLock() != null ? 0 : 3);
        }
    }

    private static int anotherProcessTries(Path file) throws Exception {
        Process p = new ProcessBuilder(JavaProcess.mainClass(ProcessLockTest.class, List.of(file.toString())))
                .inheritIO().start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue();
    }

    private static Optional<ProcessLock> inAnotherThread(Path file, Duration wait) throws Exception {
        return CompletableFuture.supplyAsync(() -> ProcessLock.tryAcquire(file, wait)).get(60, TimeUnit.SECONDS);
    }

    @Test
    void anotherThreadWaitsOrGivesUpAndNeverFreesTheFileForOtherProcesses() throws Exception {
        Path file = dir.resolve("locks/lock");
        try (ProcessLock outer = ProcessLock.acquire(file)) {
            try (ProcessLock nested = ProcessLock.tryAcquire(file, Duration.ZERO).orElseThrow()) {
                assertEquals(3, anotherProcessTries(file), "held by this JVM");
            }
            assertEquals(3, anotherProcessTries(file), "the nested hold's end leaves the outer one");
            assertFalse(inAnotherThread(file, Duration.ofMillis(200)).isPresent(), "another thread gives up");
            assertEquals(3, anotherProcessTries(file), "and its attempt did not free the file");
        }
        assertEquals(0, anotherProcessTries(file), "free once the last hold is closed");
    }

    @Test
    void anotherThreadGetsItWhenTheHolderLetsGo() throws Exception {
        Path file = dir.resolve("lock");
        ProcessLock first = ProcessLock.acquire(file);
        CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() -> {
            try (ProcessLock got = ProcessLock.tryAcquire(file, Duration.ofSeconds(60)).orElseThrow()) {
                return anotherProcessTries(file);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        first.close();
        assertEquals(3, second.get(60, TimeUnit.SECONDS), "the second thread held the kernel's lock");
        assertEquals(0, anotherProcessTries(file));
    }
}
