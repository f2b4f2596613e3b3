package org.cvmfs.suite.protocol.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.cvmfs.suite.protocol.testing.JavaProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver's native library is written once into the user's cache and loaded from there. */
class SqliteNativeLibraryTest {
    @TempDir
    Path dir;

    @Test
    void theCopyIsWrittenOnceAndKept() throws Exception {
        Path library = SqliteNativeLibrary.cachedCopy(dir).orElseThrow();
        long size = Files.size(library);
        assertTrue(size > 100_000, "a native library: " + size + " bytes");
        Files.setLastModifiedTime(library, FileTime.fromMillis(0));

        assertEquals(library, SqliteNativeLibrary.cachedCopy(dir).orElseThrow());
        assertEquals(0, Files.getLastModifiedTime(library).toMillis(), "kept, not written again");
        try (Stream<Path> files = Files.list(library.getParent())) {
            assertEquals(List.of(library), files.toList(), "no temporary file left");
        }
        assertEquals("libsqlitejdbc.so", library.getFileName().toString(), "the driver's own name, for its fallback");
    }

    @Test
    void aShortCopyIsReplaced() throws Exception {
        Path library = SqliteNativeLibrary.cachedCopy(dir).orElseThrow();
        long size = Files.size(library);
        Files.write(library, new byte[10]);

        assertEquals(library, SqliteNativeLibrary.cachedCopy(dir).orElseThrow());
        assertEquals(size, Files.size(library));
    }

    /**
     * A process given the user's suite directory (as the launcher gives it) loads the cached copy
     * and writes nothing to its temporary directory; one without it keeps the driver's own way.
     */
    @Test
    void aProcessLoadsTheCachedCopy() throws Exception {
        Path cache = Files.createDirectories(dir.resolve("home/.cache/cvmfs-suite"));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        for (int run = 0; run < 2; run++) {
            String output = openOne(dir.resolve("db" + run), tmp, "-D" + SqliteNativeLibrary.CACHE_PROPERTY + "=" + cache);
            assertTrue(output.contains(cache.toString()), output);
            try (Stream<Path> files = Files.list(tmp)) {
                assertEquals(List.of(), files.toList(), "the driver extracted its library after all");
            }
        }

        String output = openOne(dir.resolve("db-without"), tmp, "-Dcvmfs.suite.unrelated=x");
        assertTrue(output.strip().endsWith("null"), "no cache given, no path set: " + output);
    }

    private static String openOne(Path db, Path tmp, String property) throws Exception {
        List<String> command = new java.util.ArrayList<>(JavaProcess.mainClass(OpenOne.class, List.of(db.toString())));
        command.add(1, "-Djava.io.tmpdir=" + tmp);
        command.add(1, property);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), output);
        return output;
    }

    /** Opens (creates) one database and prints where the driver was pointed. */
    public static final class OpenOne {
        public static void main(String[] args) {
            try (SqliteFile db = SqliteFile.create(Path.of(args[0]))) {
                db.toString();
            }
            System.out.println(System.getProperty(SqliteNativeLibrary.PATH_PROPERTY));
        }
    }
}
