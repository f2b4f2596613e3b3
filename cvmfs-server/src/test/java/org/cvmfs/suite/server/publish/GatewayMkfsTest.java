package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.config.ConfigException;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.ingest.DeflateLibrary;
import org.cvmfs.suite.protocol.manifest.ManifestException;
import org.cvmfs.suite.protocol.manifest.VerifiedManifest;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.RepositoryOwner;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publisher-side mkfs against the recorded gateway repository, with the tutorial's arguments. */
class GatewayMkfsTest {
    private static final Clock INSIDE_WHITELIST = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);
    private static final String UPSTREAM = "gw,/var/spool/cvmfs/capture.test/tmp/,http://127.0.0.1:4929/api/v1";

    @TempDir
    Path tmp;

    private RepositoryLayout layout() {
        return new RepositoryLayout(HostPaths.under(tmp.resolve("host")), "capture.test");
    }

    private GatewayMkfs.Options options(Path keys) {
        return new GatewayMkfs.Options(GatewayUpstream.parse(UPSTREAM), URI.create("http://127.0.0.1/cvmfs/capture.test"),
                keys, RepositoryOwner.current(), HashAlgorithm.SHA1);
    }

    private static LocalRepositorySource stratum0() {
        return new LocalRepositorySource(Fixtures.gatewayPublication().resolve("after-b"));
    }

    @Test
    void importsKeysWritesServerConfAndReadsBackAsPublisherSettings() throws Exception {
        RepositoryLayout layout = layout();
        VerifiedManifest head = GatewayMkfs.create(layout, options(Fixtures.gatewayPublication().resolve("keys")),
                stratum0(), INSIDE_WHITELIST);
        assertEquals(3, head.manifest().revision());

        assertEquals(PosixFilePermissions.fromString("r--------"),
                Files.getPosixFilePermissions(layout.keysDir().resolve("capture.test.gw")));
        assertTrue(Files.isRegularFile(layout.keysDir().resolve("capture.test.crt")));
        assertTrue(Files.notExists(layout.keysDir().resolve("capture.test.key")), "no private key on a publisher");
        String conf = Files.readString(layout.serverConf());
        assertTrue(conf.contains("CVMFS_UPSTREAM_STORAGE=" + UPSTREAM), conf);
        assertTrue(conf.contains("CVMFS_STRATUM0=http://127.0.0.1/cvmfs/capture.test"), conf);

        PublisherSettings settings = PublisherConfiguration.load(layout);
        assertEquals(URI.create("http://127.0.0.1:4929/api/v1"), settings.gatewayApi());
        assertEquals("key1", settings.gatewayKey().id());
        assertEquals(layout.spoolDir(), settings.spoolDir());
        assertEquals(Optional.of(4L << 20), settings.ingest().chunking().map(c -> c.minSize()));
        assertEquals(DeflateLibrary.ZLIB, settings.ingest().deflateLibrary());
        assertTrue(settings.autoTag());

        ConfigException again = assertThrows(ConfigException.class, () -> GatewayMkfs.create(layout,
                options(Fixtures.gatewayPublication().resolve("keys")), stratum0(), INSIDE_WHITELIST));
        assertTrue(again.getMessage().contains("already exists"), again.getMessage());
    }

    @Test
    void theDeflateLibraryIsChosenInServerConfAndAnUnknownOneIsRefused() throws Exception {
        RepositoryLayout layout = layout();
        GatewayMkfs.create(layout, options(Fixtures.gatewayPublication().resolve("keys")), stratum0(), INSIDE_WHITELIST);
        String conf = Files.readString(layout.serverConf());
        Files.writeString(layout.serverConf(), conf + DeflateLibrary.CONFIG_KEY + "=libdeflate\n");
        assertEquals(DeflateLibrary.LIBDEFLATE, PublisherConfiguration.load(layout).ingest().deflateLibrary());
        Files.writeString(layout.serverConf(), conf + DeflateLibrary.CONFIG_KEY + "=gzip\n");
        ConfigException e = assertThrows(ConfigException.class, () -> PublisherConfiguration.load(layout));
        assertEquals(DeflateLibrary.CONFIG_KEY + ": unknown deflate library 'gzip' (expected zlib or libdeflate)",
                e.getMessage());
    }

    @Test
    void refusesMissingKeysAndKeysOfAnotherRepository() throws Exception {
        Path keys = Files.createDirectories(tmp.resolve("keys"));
        for (String ext : new String[] {".crt", ".pub"}) {
            Files.copy(Fixtures.gatewayPublication().resolve("keys/capture.test" + ext), keys.resolve("capture.test" + ext));
        }
        ConfigException missing = assertThrows(ConfigException.class,
                () -> GatewayMkfs.create(layout(), options(keys), stratum0(), INSIDE_WHITELIST));
        assertTrue(missing.getMessage().contains("capture.test.gw"), missing.getMessage());

        Files.copy(Fixtures.gatewayPublication().resolve("keys/capture.test.gw"), keys.resolve("capture.test.gw"));
        Files.delete(keys.resolve("capture.test.pub"));
        Files.copy(Fixtures.upstreamTestLocal().resolve("keys/test.local.pub"), keys.resolve("capture.test.pub"));
        assertThrows(ManifestException.class, () -> GatewayMkfs.create(layout(), options(keys), stratum0(), INSIDE_WHITELIST));
        assertTrue(Files.notExists(layout().serverConf()), "nothing written when verification fails");
    }

    @Test
    void parsesUpstreamStorageAndRepositoryArguments() {
        GatewayUpstream u = GatewayUpstream.parse(UPSTREAM);
        assertEquals(Path.of("/var/spool/cvmfs/capture.test/tmp"), u.tmpDir());
        assertEquals(UPSTREAM, u.format());
        for (String bad : new String[] {"local,/srv,/srv", "gw,/tmp", "gw,relative/,http://h/api/v1", "gw,/tmp/,ftp://h/x",
                "gw,/tmp/,not a url"}) {
            assertThrows(IllegalArgumentException.class, () -> GatewayUpstream.parse(bad), bad);
        }
        assertEquals(new RepositoryArgument("capture.test", RepositoryPath.of("/sw/lib")),
                RepositoryArgument.parse("capture.test//sw/lib/"));
        assertEquals(RepositoryPath.ROOT, RepositoryArgument.parse("capture.test").path());
        assertEquals(RepositoryPath.ROOT, RepositoryArgument.parse("capture.test/").path());
        assertThrows(IllegalArgumentException.class, () -> RepositoryArgument.parse("capture.test/a/../b"));
        assertThrows(IllegalArgumentException.class, () -> RepositoryArgument.parse(""));
    }
}
