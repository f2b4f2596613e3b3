package org.cvmfs.suite.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The four units of {@code deploy/systemd} have the tutorial's names, start the launchers of
 * {@code deploy/bin} with their configuration files, order themselves after the services they
 * need, restart, keep the least privileges their files claim, and load in systemd without a single
 * warning ({@code systemd-analyze verify}, with {@code ExecStart} pointed at this checkout).
 */
class SystemdUnitsTest {
    static final List<String> UNITS = List.of("cvmfs-gateway.service", "cvmfs-notify.service",
            "conveyor-server@.service", "conveyor-worker@.service");
    private static final Pattern USR_BIN = Pattern.compile("/usr/bin/([A-Za-z_]+)");

    @TempDir Path scratch;

    static Path unit(String name) {
        return Checkout.deploy().resolve("systemd").resolve(name);
    }

    static String read(String name) throws IOException {
        return Files.readString(unit(name));
    }

    /**
     * Points every {@code /usr/bin/LAUNCHER} at this checkout's {@code deploy/bin/LAUNCHER}; a
     * launcher the checkout lacks is left as it is (and then reported by systemd-analyze).
     */
    static String toCheckoutLaunchers(String text) {
        Matcher m = USR_BIN.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Path launcher = Checkout.launcher(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(Files.exists(launcher) ? launcher.toString() : m.group()));
        }
        return m.appendTail(out).toString();
    }

    @Test
    void everyUnitLoadsWithoutAWarning() {
        // deploy/bin/conveyor comes with the Conveyor branch; until it has landed, its two units
        // cannot name an existing command
        assumeTrue(Files.isExecutable(Checkout.launcher("conveyor")), "deploy/bin/conveyor has not landed yet");
        List<Path> units = UNITS.stream().map(SystemdUnitsTest::unit).toList();
        List<String> problems = new UnitVerifier(scratch).problems(units, SystemdUnitsTest::toCheckoutLaunchers);
        assertEquals(List.of(), problems, "systemd-analyze verify");
    }

    @Test
    void everyUnitButTheMissingLauncherLoadsWithoutAWarning() throws IOException {
        // the same verification while deploy/bin/conveyor is missing: a stand-in executable
        // takes its place, so that every other line of the Conveyor units is still checked
        Path standIn = scratch.resolve("bin").resolve("conveyor");
        Files.createDirectories(standIn.getParent());
        Files.writeString(standIn, "#!/bin/sh\nexit 0\n");
        standIn.toFile().setExecutable(true);
        Path verifyDir = Files.createDirectories(scratch.resolve("units"));
        List<Path> units = UNITS.stream().map(SystemdUnitsTest::unit).toList();
        List<String> problems = new UnitVerifier(verifyDir).problems(units,
                text -> toCheckoutLaunchers(text).replace("/usr/bin/conveyor ", standIn + " "));
        assertEquals(List.of(), problems, "systemd-analyze verify");
    }

    @Test
    void theVerifierSeesAMistakeInAUnit() throws IOException {
        // the verdict comes from the lines systemd-analyze prints: a unit with an invalid value
        // and a launcher that does not exist must be reported
        Path broken = scratch.resolve("in").resolve("cvmfs-gateway.service");
        Files.createDirectories(broken.getParent());
        Files.writeString(broken, read("cvmfs-gateway.service")
                .replace("Restart=always", "Restart=sometimes")
                .replace("/usr/bin/cvmfs_gateway", "/usr/bin/cvmfs_gateway_missing"));
        Path out = Files.createDirectories(scratch.resolve("out"));
        List<String> problems = new UnitVerifier(out).problems(List.of(broken), SystemdUnitsTest::toCheckoutLaunchers);
        assertTrue(problems.stream().anyMatch(l -> l.contains("sometimes")), problems.toString());
        assertTrue(problems.stream().anyMatch(l -> l.contains("cvmfs_gateway_missing")), problems.toString());
    }

    @Test
    void eachUnitStartsItsLauncherWithItsConfiguration() throws IOException {
        Map<String, String> execStart = Map.of(
                "cvmfs-gateway.service", "ExecStart=/usr/bin/cvmfs_gateway\n",
                "cvmfs-notify.service", "ExecStart=/usr/bin/cvmfs_notify\n",
                "conveyor-server@.service", "ExecStart=/usr/bin/conveyor server --config /etc/cvmfs/conveyor/config.toml\n",
                "conveyor-worker@.service", "ExecStart=/usr/bin/conveyor worker --config /etc/cvmfs/conveyor/config.toml\n");
        execStart.forEach((name, line) -> {
            try {
                assertTrue(read(name).contains(line), name + " has " + line);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertTrue(read("cvmfs-gateway.service").contains("Environment=GATEWAY_USER_CONFIG_FILE=/etc/cvmfs/gateway/user.json\n"));
        assertTrue(read("cvmfs-notify.service").contains("Environment=CVMFS_NOTIFY_CONFIG=/etc/cvmfs/notify/config.json\n"));
        for (String name : List.of("cvmfs_gateway", "cvmfs_notify")) {
            assertTrue(Files.isExecutable(Checkout.launcher(name)), name + " in deploy/bin");
        }
    }

    @Test
    void orderingAndRestartPolicy() throws IOException {
        for (String name : UNITS) {
            String text = read(name);
            assertTrue(text.contains("\nAfter=network-online.target"), name + " after network-online.target");
            assertTrue(text.contains("\nWants=network-online.target\n"), name + " wants network-online.target");
            assertTrue(text.contains("\nRestart=always\n"), name + " restarts");
            assertTrue(text.contains("\nWantedBy=multi-user.target\n"), name + " is enabled for multi-user.target");
        }
        assertTrue(read("conveyor-server@.service").contains("After=network-online.target postgresql.service rabbitmq-server.service\n"));
        assertTrue(read("cvmfs-notify.service").contains("After=network-online.target rabbitmq-server.service\n"));
    }

    @Test
    void conveyorUnitsRunAsTheirInstanceUser() throws IOException {
        for (String name : List.of("conveyor-server@.service", "conveyor-worker@.service")) {
            assertTrue(read(name).contains("\nUser=%i\n"), name + " runs as its instance");
        }
    }

    @Test
    void privilegesAreTheLeastThatWork() throws IOException {
        // the job server needs no capability at all, even as conveyor-server@root
        assertTrue(read("conveyor-server@.service").contains("\nCapabilityBoundingSet=\n"));
        assertTrue(read("conveyor-server@.service").contains("\nProtectSystem=strict\n"));
        // the worker writes the spool and the repository owner's files; it may not mount (the
        // publisher then leaves the working tree in the spool, CONVEYOR_LEASE_DIR)
        String worker = read("conveyor-worker@.service");
        assertTrue(worker.contains("\nCapabilityBoundingSet=CAP_DAC_OVERRIDE CAP_CHOWN CAP_FOWNER\n"), "worker: file-owner rights only");
        assertFalse(worker.lines().anyMatch(l -> !l.startsWith("#") && l.contains("CAP_SYS_ADMIN")), "worker may not mount");
        assertTrue(worker.contains("\nReadWritePaths=-/cvmfs -/var/spool/cvmfs -/etc/cvmfs\n"));
        // the gateway writes repositories and its lease database and mounts nothing
        String gateway = read("cvmfs-gateway.service");
        assertFalse(gateway.contains("CAP_SYS_ADMIN"));
        assertTrue(gateway.contains("\nReadWritePaths=-/srv/cvmfs -/var/spool/cvmfs\n") && gateway.contains("\nStateDirectory=cvmfs-gateway\n"));
        for (String name : UNITS) {
            assertTrue(read(name).contains("\nNoNewPrivileges=yes\n"), name + " gains no privileges");
        }
    }
}
