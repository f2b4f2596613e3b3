package org.cvmfs.suite.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/bin/cvmfs_server} and its library choose the class-data-sharing archive without
 * starting a process: these runs give it a suite home of its own (found from the launcher's
 * place, as an installation is) and a stand-in JVM that records its command line and, for the
 * launcher's background training, writes the class list and the archive. An archive is mapped
 * only while it is newer than every jar and their directories; a stale one is retrained, and a
 * training during which a jar changed is thrown away.
 */
class LauncherArchiveTest {
    private static final Path CHECKOUT = Path.of("").toAbsolutePath().getParent();

    @TempDir
    Path dir;
    private Path home;
    private Path cds;
    private Path log;
    private Path appJar;
    private Path libraries;

    @BeforeEach
    void suiteHomeAndStandInJvm() throws IOException {
        home = dir.resolve("suite");
        Path bin = Files.createDirectories(home.resolve("deploy/bin"));
        Files.copy(CHECKOUT.resolve("deploy/bin/cvmfs_server"), bin.resolve("cvmfs_server"));
        Files.createDirectories(home.resolve("deploy/lib"));
        Files.copy(CHECKOUT.resolve("deploy/lib/suite-launcher.sh"), home.resolve("deploy/lib/suite-launcher.sh"));
        Path app = home.resolve("cvmfs-server/target/quarkus-app");
        Files.createDirectories(app.resolve("app"));
        libraries = Files.createDirectories(app.resolve("lib/main"));
        Files.writeString(app.resolve("quarkus-run.jar"), "boot");
        appJar = Files.writeString(app.resolve("app/cvmfs-server.jar"), "app");
        Files.writeString(libraries.resolve("info.picocli.picocli-4.jar"), "lib");
        Files.writeString(libraries.resolve("org.slf4j.slf4j-api-2.jar"), "left out");
        Instant past = Instant.now().minus(Duration.ofHours(1));
        for (Path jar : List.of(app.resolve("quarkus-run.jar"), appJar, libraries.resolve("info.picocli.picocli-4.jar"),
                libraries.resolve("org.slf4j.slf4j-api-2.jar"), app.resolve("app"), libraries)) {
            Files.setLastModifiedTime(jar, FileTime.from(past));
        }
        cds = dir.resolve("cds");
        log = dir.resolve("java.log");
        Path java = Files.createDirectories(dir.resolve("jdk/bin")).resolve("java");
        // one line per JVM; the training's two JVMs write what the real ones would
        Files.writeString(java, """
                #!/bin/bash
                echo "$*" >> "$STAND_IN_LOG"
                for a in "$@"; do
                  case "$a" in
                    -XX:DumpLoadedClassList=*) echo picocli/CommandLine > "${a#*=}"; [ -n "${TOUCH_DURING_TRAINING:-}" ] && touch -d "@$(( $(date +%s) + 5 ))" "$TOUCH_DURING_TRAINING" ;;
                    -XX:SharedArchiveFile=*) archive=${a#*=} ;;
                    -Xshare:dump) dump=yes ;;
                  esac
                done
                [ "${dump:-}" = yes ] && echo archive > "$archive"
                exit 0
                """);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setLastModifiedTime(java, FileTime.from(past));
        Files.setPosixFilePermissions(bin.resolve("cvmfs_server"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void theFirstRunTrainsAnArchiveThatLaterRunsMap() throws Exception {
        String first = command(Map.of());
        assertFalse(first.contains("-XX:SharedArchiveFile"), first);
        assertTrue(first.contains("-cp " + appJar + ":" + libraries.resolve("info.picocli.picocli-4.jar")
                + " org.cvmfs.suite.server.Main cvmfs_server ls /"), "the suite home is the launcher's, SLF4J left out: " + first);
        assertTrue(first.contains("-Dcvmfs.suite.cache=" + cds), first);
        Path archive = awaitArchive();

        String second = command(Map.of());
        assertTrue(second.contains("-XX:SharedArchiveFile=" + archive + " -Xshare:auto"), second);
    }

    @Test
    void aRebuiltJarOrAnAddedOneMakesTheArchiveStaleUntilItIsRetrained() throws Exception {
        command(Map.of());
        Path archive = awaitArchive();
        // a rebuild after the training (times in the past, so that the retraining is newer)
        Files.setLastModifiedTime(archive, FileTime.from(Instant.now().minusSeconds(60)));
        Files.setLastModifiedTime(appJar, FileTime.from(Instant.now().minusSeconds(30)));
        String stale = command(Map.of());
        assertFalse(stale.contains("-XX:SharedArchiveFile"), stale);
        assertTrue(awaitArchiveNewerThan(appJar), "retrained after the rebuild");
        assertTrue(command(Map.of()).contains("-XX:SharedArchiveFile=" + archive));

        // an upgrade may install a jar older than the archive: its directory changed all the same
        Path added = Files.writeString(libraries.resolve("info.picocli.picocli-extra.jar"), "new");
        Files.setLastModifiedTime(added, FileTime.from(Instant.now().minus(Duration.ofDays(300))));
        Files.setLastModifiedTime(appJar, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        Files.setLastModifiedTime(archive, FileTime.from(Instant.now().minusSeconds(60)));
        Files.setLastModifiedTime(libraries, FileTime.from(Instant.now().minusSeconds(30)));
        String upgraded = command(Map.of());
        assertFalse(upgraded.contains("-XX:SharedArchiveFile"), upgraded);
    }

    @Test
    void aTrainingDuringWhichAJarChangedLeavesNoArchive() throws Exception {
        command(Map.of("TOUCH_DURING_TRAINING", appJar.toString()));
        awaitTrainingsEnd();
        try (Stream<Path> files = Files.list(cds)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".jsa")).toList());
        }
    }

    @Test
    void classDataSharingOffStartsNoTrainingAndMapsNothing() throws Exception {
        String off = command(Map.of("CVMFS_SUITE_CDS", "off"));
        assertFalse(off.contains("-XX:SharedArchiveFile"), off);
        Thread.sleep(300);
        assertEquals(1, Files.readAllLines(log).size(), "no training JVM");
    }

    /** Runs {@code cvmfs_server ls /} through the launcher; returns the command line of the command's own JVM. */
    private String command(Map<String, String> extra) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("deploy/bin/cvmfs_server").toString(), "ls", "/")
                .directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("CVMFS_") || k.startsWith("XDG_") || k.equals("JAVA_OPTS"));
        env.putAll(Map.of("JAVA_HOME", dir.resolve("jdk").toString(), "CVMFS_SUITE_CDS_DIR", cds.toString(),
                "STAND_IN_LOG", log.toString(), "TMPDIR", dir.toString()));
        env.putAll(extra);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), output);
        List<String> lines = Files.readAllLines(log);
        Optional<String> own = lines.stream().filter(l -> l.endsWith("org.cvmfs.suite.server.Main cvmfs_server ls /")).reduce((a, b) -> b);
        assertTrue(own.isPresent(), String.join("\n", lines));
        return own.get();
    }

    private Path awaitArchive() throws Exception {
        awaitTrainingsEnd();
        try (Stream<Path> files = Files.list(cds)) {
            List<Path> archives = files.filter(f -> f.getFileName().toString().matches("cvmfs-server-\\d+\\.jsa")).toList();
            assertEquals(1, archives.size(), archives.toString());
            return archives.get(0);
        }
    }

    private boolean awaitArchiveNewerThan(Path jar) throws Exception {
        awaitTrainingsEnd();
        try (Stream<Path> files = Files.list(cds)) {
            for (Path archive : files.filter(f -> f.getFileName().toString().endsWith(".jsa")).toList()) {
                if (Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The training runs in the background and removes its lock directory last. */
    private void awaitTrainingsEnd() throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < end) {
            try (Stream<Path> files = Files.list(cds)) {
                if (files.noneMatch(f -> f.getFileName().toString().endsWith(".lock"))) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the training did not end");
    }
}
