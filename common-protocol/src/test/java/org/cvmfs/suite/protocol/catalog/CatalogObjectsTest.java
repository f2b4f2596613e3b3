package org.cvmfs.suite.protocol.catalog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

    @Test
    void storesACatalogLargerThanTheHeapOfItsProcess() throws Exception {
        // a flat catalog of about a million entries: a gateway with a bounded heap must still commit it
        Path catalog = tmp.resolve("catalog.sqlite");
        Random random = new Random(11);
        byte[] digest = new byte[20];
        try (OutputStream out = Files.newOutputStream(catalog)) {
            for (int row = 0; row < CATALOG_MIB * 1024 * 1024 / 64; row++) {
                random.nextBytes(digest);
                out.write(digest);
                out.write(String.format("%044d", row).getBytes(StandardCharsets.US_ASCII));
            }
        }
        Path repo = tmp.resolve("repo");
        List<String> command = new ArrayList<>(JavaProcess.mainClass(StoreOne.class, List.of(catalog.toString(),
                repo.toString())));
        command.add(1, HEAP);
        command.add(2, "-XX:MaxDirectMemorySize=4m");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(2, TimeUnit.MINUTES);
        assertEquals(0, p.exitValue(), output);
        ContentHash stored = ContentHash.parseSuffixed(output);
        assertEquals(ObjectSuffix.CATALOG, stored.suffix());
        byte[] inflated = Zlib.inflate(new ObjectStore(repo).readStored(stored), Long.MAX_VALUE);
        assertArrayEquals(Files.readAllBytes(catalog), inflated);
        assertEquals(Files.size(catalog), CatalogObjects.size(catalog));
    }
}
