package org.cvmfs.suite.protocol.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HostPathsTest {
    @Test
    void systemPathsAreUpstreamDefaults() {
        HostPaths h = HostPaths.system();
        assertEquals(Path.of("/etc/cvmfs"), h.etcCvmfs());
        assertEquals(Path.of("/srv/cvmfs"), h.srvCvmfs());
        assertEquals(Path.of("/var/spool/cvmfs"), h.spoolCvmfs());
    }

    @Test
    void prefixRelocatesEveryPath() {
        HostPaths h = HostPaths.under(Path.of("/tmp/x/../q"));
        assertEquals(Path.of("/tmp/q/etc/cvmfs"), h.etcCvmfs());
        assertEquals(Path.of("/tmp/q/srv/cvmfs"), h.srvCvmfs());
        assertEquals(Path.of("/tmp/q/var/spool/cvmfs"), h.spoolCvmfs());
        assertEquals(Path.of("/tmp/q/var/lib/cvmfs-gateway"), h.resolve("/var/lib/cvmfs-gateway"));
        assertThrows(IllegalArgumentException.class, () -> h.resolve("relative"));
    }

    @Test
    void systemPropertyWins() {
        String old = System.getProperty(HostPaths.PREFIX_PROPERTY);
        try {
            System.setProperty(HostPaths.PREFIX_PROPERTY, "/opt/p");
            assertEquals(Path.of("/opt/p/etc/cvmfs"), HostPaths.fromEnvironment().etcCvmfs());
        } finally {
            if (old == null) {
                System.clearProperty(HostPaths.PREFIX_PROPERTY);
            } else {
                System.setProperty(HostPaths.PREFIX_PROPERTY, old);
            }
        }
    }
}
