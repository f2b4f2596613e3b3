package org.cvmfs.suite.protocol.catalog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.CorruptObjectException;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.Zlib;
import org.cvmfs.suite.protocol.testing.JavaProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogObjectsTest {
    /** A catalog file more than twice the size of the heap that stores it. */
    private static final int CATALOG_MIB = 64;
    private static final String HEAP = "-Xmx24m";

    @TempDir
    Path tmp;

    /** Stores the catalog file {@code args[0]} into the repository {@code args[1]}; prints its name. */
    public static final class StoreOne {
        public static void main(String[] args) {
            ContentHash hash = CatalogObjects.store(new ObjectStore(Path.of(args[1])), HashAlgorithm.SHA1, Path.of(args[0]));
            System.out.println(hash.toSuffixedText());
        }
    }

    /** Stages the catalog {@code args[1]} of the repository {@code args[0]} as the file {@code args[2]}. */
    public static final class StageOne {
        public static void main(String[] args) {
            CatalogObjects.stage(new LocalRepositorySource(Path.of(args[0])), ContentHash.parseSuffixed(args[1]),
                    Path.of(args[2]));
        }
    }

    @Test
    void storesAndStagesACatalogLargerThanTheHeapOfItsProcess() throws Exception {
        // a flat catalog of about a million entries: a gateway with a bounded heap must still commit it
        Path catalog = tmp.resolve("catalog.sqlite");
        Random random = new Random(11);
        byte[] digest = new byte[32];
        try (OutputStream out = Files.newOutputStream(catalog)) {
            for (int row = 0; row < CATALOG_MIB * 1024 * 1024 / 64; row++) {
                random.nextBytes(digest);
                out.write(digest);
                out.write(String.format("%032d", row).getBytes(StandardCharsets.US_ASCII));
            }
        }
        Path repo = tmp.resolve("repo");
        ContentHash stored = ContentHash.parseSuffixed(inBoundedHeap(StoreOne.class, catalog.toString(), repo.toString()));
        assertEquals(ObjectSuffix.CATALOG, stored.suffix());
        assertTrue(Files.size(new ObjectStore(repo).pathOf(stored)) > 24 << 20, "the compressed catalog outgrows the heap too");
        byte[] inflated = Zlib.inflate(new ObjectStore(repo).readStored(stored), Long.MAX_VALUE);
        assertArrayEquals(Files.readAllBytes(catalog), inflated);
        assertEquals(Files.size(catalog), CatalogObjects.size(catalog));

        // and back: the merge opens it in the same bounded heap, read from its object file as it inflates
        Path staged = tmp.resolve("staged.sqlite");
        inBoundedHeap(StageOne.class, repo.toString(), stored.toSuffixedText(), staged.toString());
        assertEquals(-1, Files.mismatch(catalog, staged));
    }

    @Test
    void stagingADamagedCatalogLeavesNoFile() {
        Path repo = tmp.resolve("repo");
        ObjectStore store = new ObjectStore(repo);
        ContentHash hash = store.putCompressed(new byte[500_000], HashAlgorithm.SHA1, ObjectSuffix.CATALOG);
        byte[] other = new byte[500_000];
        other[250_000] = 1;
        // a valid zlib stream of other bytes: only its name tells, once the whole of it has been inflated
        assertDoesNotThrow(() -> Files.write(store.pathOf(hash), Zlib.compress(other)));
        Path staged = tmp.resolve("staged.sqlite");
        assertEquals("object " + hash + " does not hash to its name", assertThrows(CorruptObjectException.class,
                () -> CatalogObjects.stage(new LocalRepositorySource(repo), hash, staged)).getMessage());
        assertFalse(Files.exists(staged));
    }

    /** Runs {@code main} in a JVM with a {@value #HEAP} heap and 4 MiB of direct memory; returns what it printed. */
    private static String inBoundedHeap(Class<?> main, String... args) throws Exception {
        List<String> command = new ArrayList<>(JavaProcess.mainClass(main, List.of(args)));
        command.add(1, HEAP);
        command.add(2, "-XX:MaxDirectMemorySize=4m");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(2, TimeUnit.MINUTES);
        assertEquals(0, p.exitValue(), output);
        return output;
    }
}
