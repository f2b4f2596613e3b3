package org.cvmfs.suite.protocol.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cvmfs.suite.protocol.config.ConfigException;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.config.ServerConfFile;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
    @TempDir
    Path prefix;

    @Test
    void newStratum0MatchesWhatUpstreamMkfsWrote() throws Exception {
        RepositoryLayout layout = new RepositoryLayout(HostPaths.system(), "test.local");
        ServerConfig c = ServerConfig.newStratum0(layout, "root", HashAlgorithm.SHA1, false);
        assertEquals(Files.readString(Fixtures.upstreamTestLocal().resolve("server-config/server.conf")),
                c.file().format());
    }

    @Test
    void relocatedPathsAndOptions() {
        RepositoryLayout layout = new RepositoryLayout(HostPaths.under(prefix), "a.b");
        ServerConfig c = ServerConfig.newStratum0(layout, "me", HashAlgorithm.SHAKE128, true);
        c.write(layout);
        ServerConfig back = ServerConfig.read(layout);
        assertEquals(HashAlgorithm.SHAKE128, back.hashAlgorithm());
        assertTrue(back.garbageCollection());
        assertTrue(back.autoTag());
        assertEquals("me", back.user().orElseThrow());
        assertEquals("local," + prefix + "/srv/cvmfs/a.b/data/txn," + prefix + "/srv/cvmfs/a.b",
                back.file().require("CVMFS_UPSTREAM_STORAGE"));
        assertEquals(prefix + "/var/spool/cvmfs/a.b", back.file().require("CVMFS_SPOOL_DIR"));
    }

    @Test
    void readsUpstreamConfig() {
        ServerConfig c = ServerConfig.from(ServerConfFile.read(
                Fixtures.upstreamTestLocal().resolve("server-config/server.conf")), "test.local");
        assertEquals(HashAlgorithm.SHA1, c.hashAlgorithm());
        assertFalse(c.garbageCollection());
        assertEquals("stratum0", c.repositoryType().orElseThrow());
        assertEquals("http://localhost/cvmfs/test.local", c.stratum0Url().orElseThrow());
    }

    @Test
    void refusesConfigOfAnotherRepositoryOrBadValues() {
        ServerConfFile f = ServerConfFile.parse("CVMFS_REPOSITORY_NAME=other.org\n", "t");
        assertEquals("CVMFS_REPOSITORY_NAME is 'other.org', expected 'test.local'",
                assertThrows(ConfigException.class, () -> ServerConfig.from(f, "test.local")).getMessage());
        ServerConfFile g = ServerConfFile.parse("CVMFS_REPOSITORY_NAME=x\nCVMFS_HASH_ALGORITHM=md5\n", "t");
        assertTrue(assertThrows(ConfigException.class, () -> ServerConfig.from(g, "x"))
                .getMessage().startsWith("CVMFS_HASH_ALGORITHM: unknown hash algorithm 'md5'"));
        ServerConfFile h = ServerConfFile.parse("CVMFS_REPOSITORY_NAME=x\nCVMFS_AUTO_TAG=yes\n", "t");
        assertEquals("CVMFS_AUTO_TAG is 'yes', expected true or false",
                assertThrows(ConfigException.class, () -> ServerConfig.from(h, "x")).getMessage());
        RepositoryLayout missing = new RepositoryLayout(HostPaths.under(prefix), "none.here");
        assertTrue(assertThrows(ConfigException.class, () -> ServerConfig.read(missing))
                .getMessage().startsWith("repository none.here has no server configuration at "));
    }

    @Test
    void repositoryNamesThatCouldEscapeAreRefused() {
        for (String bad : new String[] {"", "../etc", "a/b", ".hidden", "a..b", "x".repeat(61), "a b"}) {
            assertThrows(IllegalArgumentException.class, () -> RepositoryName.validate(bad), bad);
        }
        assertEquals("test.example-1_x.org", RepositoryName.validate("test.example-1_x.org"));
    }
}
