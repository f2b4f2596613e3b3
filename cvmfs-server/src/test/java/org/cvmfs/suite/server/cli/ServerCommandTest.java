package org.cvmfs.suite.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.testing.DirectorySnapshot;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.cvmfs.suite.protocol.testing.StaticHttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Drives {@code cvmfs_server} through picocli as the launcher does, with a fixed clock. */
class ServerCommandTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path prefix;

    record Run(int exitCode, String out, String err, byte[] raw) {
        String text() {
            return new String(raw, StandardCharsets.UTF_8);
        }
    }

    static Run run(Clock clock, String... args) {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = ServerCommand.withSubcommands(new CommandLine(new ServerCommand(clock, raw)));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString(), raw.toByteArray());
    }

    private Run run(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--prefix";
        all[1] = prefix.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return run(CLOCK, all);
    }

    private void mkfs(String repo) {
        Run r = run("mkfs", "-o", "root", repo);
        assertEquals(0, r.exitCode(), r.err());
    }

    @Test
    void publisherMkfsRecordsTheGatewayAfterVerifyingTheStratum0() throws Exception {
        Path fixture = Fixtures.gatewayPublication();
        try (StaticHttpServer stratum0 = StaticHttpServer.serve(fixture.resolve("after-b"))) {
            String tmp = prefix.resolve("var/spool/cvmfs/capture.test/tmp").toString();
            Run r = run("mkfs", "-o", "root", "-k", fixture.resolve("keys").toString(),
                    "-u", "gw," + tmp + "/,http://127.0.0.1:4929/api/v1", "-w", stratum0.url("").toString(),
                    "capture.test");
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(r.out().contains("at revision 3"), r.out());
            String conf = Files.readString(prefix.resolve("etc/cvmfs/repositories.d/capture.test/server.conf"));
            assertTrue(conf.contains("http://127.0.0.1:4929/api/v1"), conf);
        }
    }

    @Test
    void publisherMkfsNeedsStratum0AndKeys() {
        Run r = run("mkfs", "-u", "gw,/tmp/x/,http://127.0.0.1:4929/api/v1", "capture.test");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("needs -w STRATUM0_URL and -k KEY_DIR"), r.err());
        Run stray = run("mkfs", "-w", "http://127.0.0.1/cvmfs/x", "x.test");
        assertEquals(1, stray.exitCode());
        assertTrue(stray.err().contains("-w and -k belong to a publisher mkfs"), stray.err());
    }

    @Test
    void mkfsCheckCatLsListCatalogs() {
        Run mkfs = run("mkfs", "-o", "root", "-a", "shake128", "cli.example.org");
        assertEquals(0, mkfs.exitCode(), mkfs.err());
        assertTrue(mkfs.out().startsWith("Created repository cli.example.org (revision 1, root catalog "), mkfs.out());
        assertTrue(Files.isRegularFile(prefix.resolve("etc/cvmfs/repositories.d/cli.example.org/server.conf")));

        Run check = run("check", "cli.example.org");
        assertEquals(0, check.exitCode(), check.out() + check.err());
        assertTrue(check.out().startsWith("no problems found in cli.example.org at revision 1"), check.out());

        Run cat = run("cat", "cli.example.org", "/new_repository");
        assertEquals(0, cat.exitCode(), cat.err());
        assertEquals("New CernVM-FS repository for cli.example.org\n", cat.text());
        assertEquals("", cat.err(), "the local master key verifies the manifest: no warning");

        Run ls = run("ls", "cli.example.org");
        assertEquals("new_repository\n", ls.out());
        Run lsl = run("lsrepo", "-l", "cli.example.org", "/");
        assertTrue(lsl.out().startsWith("-rw-r--r-- 1 0 0 45 2026-11-25T10:00:00Z new_repository"), lsl.out());

        Run catalogs = run("list-catalogs", "-h", "-s", "-e", "cli.example.org");
        assertEquals(0, catalogs.exitCode(), catalogs.err());
        assertTrue(catalogs.out().matches("/ [0-9a-f]{40}-shake128C [0-9]+ 2\n"), catalogs.out());
    }

    @Test
    void failuresAreOneLineWithExitCodeOne() {
        mkfs("dup.example.org");
        DirectorySnapshot before = DirectorySnapshot.of(prefix);
        Run again = run("mkfs", "dup.example.org");
        assertEquals(1, again.exitCode());
        assertEquals("", again.out());
        assertTrue(again.err().startsWith("cvmfs_server mkfs: repository dup.example.org already exists ("), again.err());
        assertEquals(1, again.err().lines().count(), "no stack trace without -v: " + again.err());
        assertEquals(before, DirectorySnapshot.of(prefix));

        Run verbose = run("-v", "mkfs", "dup.example.org");
        assertTrue(verbose.err().lines().count() > 1, "-v adds the stack trace");

        Run missing = run("cat", "none.example.org", "/x");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().startsWith("cvmfs_server cat: repository none.example.org is not served from this host"),
                missing.err());

        Run notAFile = run("cat", "dup.example.org", "/");
        assertEquals("cvmfs_server cat: /: is a directory\n", notAFile.err());
        Run badName = run("mkfs", "../escape");
        assertEquals(1, badName.exitCode());
        assertTrue(badName.err().startsWith("cvmfs_server mkfs: invalid repository name '../escape'"), badName.err());
    }

    @Test
    void usageErrorsExitWithTwo() {
        Run r = run("mkfs", "-a", "md5", "x.example.org");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("unknown hash algorithm 'md5'"), r.err());
        assertEquals(2, run("check").exitCode());
        assertFalse(Files.exists(prefix.resolve("srv")));
    }

    @Test
    void checkFaultsExitWithTheirClass() throws Exception {
        mkfs("bad.example.org");
        Clock later = Clock.offset(CLOCK, Duration.ofDays(31));
        Run expired = run(later, "--prefix", prefix.toString(), "check", "bad.example.org");
        assertEquals(3, expired.exitCode(), expired.out());
        assertTrue(expired.out().startsWith("FAULT trust chain: whitelist of bad.example.org expired at 2026-12-25T10:00:00Z"),
                expired.out());
        assertTrue(expired.out().endsWith("check of bad.example.org failed: 1 fault(s), first class: trust chain\n"));

        Run resign = run(later, "--prefix", prefix.toString(), "resign", "bad.example.org");
        assertEquals(0, resign.exitCode(), resign.err());
        assertEquals(0, run(later, "--prefix", prefix.toString(), "check", "bad.example.org").exitCode());

        Path served = prefix.resolve("srv/cvmfs/bad.example.org");
        var file = SignedManifest.parse(Files.readAllBytes(served.resolve(".cvmfspublished"))).manifest();
        Path meta = served.resolve("data").resolve(file.metaInfo().objectPath());
        Files.write(meta, new byte[] {1, 2, 3});
        Run broken = run(later, "--prefix", prefix.toString(), "check", "bad.example.org");
        assertEquals(4, broken.exitCode(), broken.out());
        assertTrue(broken.out().startsWith("FAULT meta information: meta information " + file.metaInfo()), broken.out());
        assertEquals(4, run(later, "--prefix", prefix.toString(), "check", "-c", "bad.example.org").exitCode());
    }

    @Test
    void checksTheUpstreamFixtureUnderAPrefix() {
        Path served = DirectoryTree.copy(Fixtures.upstreamTestLocal().resolve("served"), prefix.resolve("srv/cvmfs/test.local"));
        Path keys = Fixtures.upstreamTestLocal().resolve("keys/test.local.pub");
        Clock inside = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);
        Run r = run(inside, "--prefix", prefix.toString(), "check", "-k", keys.toString(), "test.local");
        assertEquals(0, r.exitCode(), r.out() + r.err());
        Run tagged = run(inside, "check", "--prefix", prefix.toString(), "-k", keys.toString(), "-t", "v1.0", "test.local");
        assertEquals(0, tagged.exitCode(), tagged.out() + tagged.err());
        assertTrue(tagged.out().contains("at revision 2"), tagged.out());
        Run unverified = run(inside, "--prefix", prefix.toString(), "ls", "test.local", "/dir");
        assertTrue(unverified.err().startsWith("warning: the manifest of test.local is not verified"), unverified.err());
        assertTrue(unverified.out().contains("a.txt\n"), unverified.out());
        assertTrue(Files.isDirectory(served));
    }

    @Test
    void readsAndChecksOverHttp() {
        Clock inside = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);
        String key = Fixtures.upstreamTestLocal().resolve("keys/test.local.pub").toString();
        try (StaticHttpServer http = StaticHttpServer.serve(Fixtures.upstreamTestLocal())) {
            String url = http.url("served").toString();
            Run check = run(inside, "--prefix", prefix.toString(), "check", "-k", key, url);
            assertEquals(0, check.exitCode(), check.out() + check.err());
            Run wrongName = run(inside, "--prefix", prefix.toString(), "check", "-k", key, "-N", "other.local", url);
            assertEquals(3, wrongName.exitCode(), wrongName.out());
            assertTrue(wrongName.out().startsWith("FAULT trust chain: manifest from " + url
                    + " is for repository 'test.local', expected 'other.local'"), wrongName.out());
            Run catalogs = run(inside, "--prefix", prefix.toString(), "list-catalogs", "-k", key, url);
            assertEquals("/\n  /nested\n", catalogs.out());
            Run link = run(inside, "--prefix", prefix.toString(), "ls", "-l", "-k", key, url, "link-to-readme");
            assertTrue(link.out().startsWith("lrwxrwxrwx 1 "), link.out());
            assertTrue(link.out().endsWith(" link-to-readme -> README.txt\n"), link.out());
            Run cat = run(inside, "--prefix", prefix.toString(), "cat", "-k", key, url, "/nested/deeper/c.txt");
            assertEquals(0, cat.exitCode(), cat.err());
            assertTrue(cat.raw().length > 0);
        }
        assertEquals(0, run(CLOCK, "list-catalogs", "--help").exitCode());
    }

    @Test
    void prefixComesFromTheSystemPropertyWhenNotGiven() {
        String old = System.getProperty(HostPaths.PREFIX_PROPERTY);
        System.setProperty(HostPaths.PREFIX_PROPERTY, prefix.toString());
        try {
            Run r = run(CLOCK, "mkfs", "-o", "root", "prop.example.org");
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(Files.isDirectory(prefix.resolve("srv/cvmfs/prop.example.org/data")));
        } finally {
            if (old == null) {
                System.clearProperty(HostPaths.PREFIX_PROPERTY);
            } else {
                System.setProperty(HostPaths.PREFIX_PROPERTY, old);
            }
        }
    }

    @Test
    void checkRepairsTheReflogChecksumAndTakesUpstreamsFlags() throws Exception {
        mkfs("one.example.org");
        mkfs("two.example.org");
        Path checksum = prefix.resolve("var/spool/cvmfs/one.example.org/reflog.chksum");
        String good = Files.readString(checksum);
        Files.writeString(checksum, "0000000000000000000000000000000000000000");
        assertEquals(5, run("check", "one.example.org").exitCode());

        Run repaired = run("check", "-r", "one.example.org");
        assertEquals(0, repaired.exitCode(), repaired.out() + repaired.err());
        assertTrue(repaired.out().startsWith("Warning: restored reflog checksum as " + good
                + " (was: 0000000000000000000000000000000000000000)\n"), repaired.out());
        assertEquals(good, Files.readString(checksum));

        Run all = run("check", "-a");
        assertEquals(0, all.exitCode(), all.err());
        assertTrue(all.out().contains("no problems found in one.example.org")
                && all.out().contains("no problems found in two.example.org"), all.out());
        assertEquals(2, run("check", "-a", "one.example.org").exitCode());

        Run scrub = run("check", "-i", "-c", "two.example.org");
        assertEquals(0, scrub.exitCode(), scrub.out());
        Path replicaChecksum = prefix.resolve("replica.chksum");
        Files.writeString(replicaChecksum, "0000000000000000000000000000000000000000");
        Run replica = run("check", "-R", replicaChecksum.toString(), "two.example.org");
        assertEquals(5, replica.exitCode(), replica.out());
        Files.writeString(replicaChecksum, good.isEmpty() ? "x" : Files.readString(
                prefix.resolve("var/spool/cvmfs/two.example.org/reflog.chksum")));
        assertEquals(0, run("check", "-R", replicaChecksum.toString(), "two.example.org").exitCode());
    }

    @Test
    void gcDeletesOrphansOfAGarbageCollectableRepository() throws Exception {
        Run mkfs = run("mkfs", "-o", "root", "-z", "gc.example.org");
        assertEquals(0, mkfs.exitCode(), mkfs.err());
        mkfs("plain.example.org");
        Path data = prefix.resolve("srv/cvmfs/gc.example.org/data");
        Path orphan = data.resolve("ab/cdef000000000000000000000000000000000000");
        Files.write(orphan, new byte[] {1, 2, 3});
        Files.setLastModifiedTime(orphan, java.nio.file.attribute.FileTime.from(CLOCK.instant().minus(Duration.ofDays(1))));

        Run dry = run("gc", "-d", "-l", "gc.example.org");
        assertEquals(0, dry.exitCode(), dry.err());
        assertTrue(dry.out().startsWith("ab/cdef000000000000000000000000000000000000\n"), dry.out());
        assertTrue(Files.exists(orphan));

        Path log = prefix.resolve("deleted.log");
        Run gc = run("gc", "-f", "-r", "0", "-L", log.toString(), "gc.example.org");
        assertEquals(0, gc.exitCode(), gc.err());
        assertTrue(gc.out().startsWith("gc.example.org: deleted 1 object(s), 3 bytes"), gc.out());
        assertFalse(Files.exists(orphan));
        assertEquals("ab/cdef000000000000000000000000000000000000\n", Files.readString(log));
        assertEquals(0, run("check", "gc.example.org").exitCode());

        Run plain = run("gc", "-f", "plain.example.org");
        assertEquals(1, plain.exitCode());
        assertTrue(plain.err().contains("Garbage Collection is not enabled for plain.example.org"), plain.err());
        assertEquals(2, run("gc", "-f", "-r", "1", "-t", "2026-11-01T00:00:00Z", "gc.example.org").exitCode());
        Run all = run("gc", "-f", "-a");
        assertEquals(0, all.exitCode(), all.err());
        assertTrue(all.out().startsWith("gc.example.org: deleted 0 object(s)"), all.out());
    }
}
