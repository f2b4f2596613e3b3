package org.cvmfs.suite.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cvmfs.suite.protocol.testing.DirectorySnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/install.sh ROLE --prefix DIR} lays out a host of the tutorial as a package would:
 * launcher links in {@code usr/bin}, units in {@code etc/systemd/system} that load in systemd,
 * example configuration under {@code etc/cvmfs}; running it again changes nothing, and an
 * existing configuration file is never overwritten.
 */
class InstallScriptTest {
    @TempDir Path prefix;

    private Command install(String... args) {
        String[] argv = new String[args.length + 1];
        argv[0] = Checkout.deploy().resolve("install.sh").toString();
        System.arraycopy(args, 0, argv, 1, args.length);
        return Command.run(prefix, argv);
    }

    private Command installOk(String... args) {
        Command c = install(args);
        assertEquals(0, c.exitCode(), c.describe());
        return c;
    }

    private void assertLauncherLinks(List<String> names) throws IOException {
        for (String name : names) {
            Path link = prefix.resolve("usr/bin").resolve(name);
            if (!Files.exists(Checkout.launcher(name))) {
                continue; // deploy/bin/conveyor before the Conveyor branch landed
            }
            assertTrue(Files.isSymbolicLink(link), link + " is a link");
            assertEquals(Checkout.launcher(name), Files.readSymbolicLink(link));
        }
    }

    private void assertConfig(String installed, String example, Map<String, String> replacements) throws IOException {
        String expected = Files.readString(Checkout.deploy().resolve(example));
        for (var r : replacements.entrySet()) {
            expected = expected.replace(r.getKey(), r.getValue());
        }
        assertEquals(expected, Files.readString(prefix.resolve("etc/cvmfs").resolve(installed)), installed);
    }

    @Test
    void gatewayHost() throws IOException {
        installOk("gateway", "--prefix", prefix.toString());
        assertLauncherLinks(List.of("cvmfs_gateway", "cvmfs_notify", "cvmfs_server", "cvmfs_swissknife", "conveyor"));
        assertConfig("gateway/repo.json", "gateway/repo.json", Map.of());
        assertConfig("gateway/user.json", "gateway/user.json", Map.of());
        assertConfig("notify/config.json", "notify/config.json", Map.of());
        assertConfig("conveyor/config.toml", "conveyor/gateway.toml", Map.of());
        Path units = prefix.resolve("etc/systemd/system");
        try (var listing = Files.list(units)) {
            assertEquals(List.of("conveyor-server@.service", "cvmfs-gateway.service", "cvmfs-notify.service"),
                    listing.map(p -> p.getFileName().toString()).sorted().toList());
        }
        String gateway = Files.readString(units.resolve("cvmfs-gateway.service"));
        assertTrue(gateway.contains("ExecStart=" + prefix + "/usr/bin/cvmfs_gateway\n"), gateway);
        assertTrue(gateway.contains("Environment=GATEWAY_USER_CONFIG_FILE=" + prefix + "/etc/cvmfs/gateway/user.json\n"));
        assertTrue(gateway.contains("[Service]\nEnvironment=CVMFS_SUITE_PREFIX=" + prefix + "\n"), gateway);
        assertFalse(Files.exists(prefix.resolve("etc/cvmfs/config.d")), "no client configuration on the gateway");
    }

    @Test
    void publisherHostWithTheGatewayNamed() throws IOException {
        installOk("publisher", "--prefix", prefix.toString(), "--gateway-host", "gw.example.org");
        assertLauncherLinks(List.of("cvmfs_server", "cvmfs_swissknife", "conveyor"));
        assertFalse(Files.exists(prefix.resolve("usr/bin/cvmfs_gateway")), "no gateway on a publisher");
        assertConfig("conveyor/config.toml", "conveyor/publisher.toml", Map.of("cvm19-gw-$ID.cern.ch", "gw.example.org"));
        String toml = Files.readString(prefix.resolve("etc/cvmfs/conveyor/config.toml"));
        assertTrue(toml.contains("host = \"gw.example.org\""), toml);
        assertTrue(Files.exists(prefix.resolve("etc/systemd/system/conveyor-worker@.service")));
    }

    @Test
    void frontendHostGetsTheClientConfiguration() throws IOException {
        installOk("frontend", "--prefix", prefix.toString(), "--repo", "demo.example.org", "--gateway-host", "gw");
        assertConfig("conveyor/config.toml", "conveyor/frontend.toml", Map.of("cvm19-gw-$ID.cern.ch", "gw"));
        String client = Files.readString(prefix.resolve("etc/cvmfs/config.d/demo.example.org.conf"));
        assertTrue(client.contains("\nCVMFS_SERVER_URL=http://gw:4929/cvmfs/demo.example.org\n"), client);
        assertTrue(client.contains("\nCVMFS_NOTIFICATION_SERVER=http://gw:4930/api/v1/subscribe\n"), client);
        assertFalse(Files.exists(prefix.resolve("etc/systemd")), "no daemon on the frontend");
    }

    @Test
    void secondRunChangesNothing() {
        for (String role : List.of("gateway", "publisher", "frontend")) {
            installOk(role, "--prefix", prefix.toString());
        }
        DirectorySnapshot before = DirectorySnapshot.of(prefix);
        for (String role : List.of("gateway", "publisher", "frontend")) {
            Command again = installOk(role, "--prefix", prefix.toString());
            assertTrue(again.output().contains("kept     "), again.describe());
            assertFalse(again.output().contains("\nconfig   "), again.describe());
        }
        assertEquals(before.entries(), DirectorySnapshot.of(prefix).entries());
    }

    @Test
    void anEditedConfigurationIsNeverOverwritten() throws IOException {
        installOk("gateway", "--prefix", prefix.toString());
        Path repoJson = prefix.resolve("etc/cvmfs/gateway/repo.json");
        Path toml = prefix.resolve("etc/cvmfs/conveyor/config.toml");
        Files.writeString(repoJson, "{\"version\": 2, \"repos\": [\"mine.example.org\"]}\n");
        Files.delete(toml);
        Command again = installOk("gateway", "--prefix", prefix.toString(), "--gateway-host", "other");
        assertEquals("{\"version\": 2, \"repos\": [\"mine.example.org\"]}\n", Files.readString(repoJson));
        assertTrue(again.output().contains("kept     " + repoJson + " (exists)"), again.describe());
        // a removed file comes back from the example
        assertConfig("conveyor/config.toml", "conveyor/gateway.toml", Map.of());
    }

    @Test
    void installedUnitsLoadInSystemd() throws IOException {
        installOk("gateway", "--prefix", prefix.toString());
        installOk("publisher", "--prefix", prefix.toString());
        Path units = prefix.resolve("etc/systemd/system");
        List<Path> ours;
        try (var listing = Files.list(units)) {
            ours = listing.filter(p -> !p.getFileName().toString().startsWith("conveyor")
                    || Files.exists(Checkout.launcher("conveyor"))).sorted().toList();
        }
        assertEquals(Files.exists(Checkout.launcher("conveyor")) ? 4 : 2, ours.size(), ours.toString());
        Path scratch = Files.createTempDirectory(prefix, "verify");
        assertEquals(List.of(), new UnitVerifier(scratch).problems(ours, text -> text));
    }

    @Test
    void refusesWhatItDoesNotKnow() {
        Command noRole = install("--prefix", prefix.toString());
        assertEquals(2, noRole.exitCode(), noRole.describe());
        assertTrue(noRole.output().contains("which role? gateway, publisher or frontend"), noRole.describe());
        Command badRole = install("stratum1", "--prefix", prefix.toString());
        assertEquals(2, badRole.exitCode(), badRole.describe());
        assertTrue(badRole.output().contains("unknown argument 'stratum1'"), badRole.describe());
        Command badRepo = install("frontend", "--prefix", prefix.toString(), "--repo", "../etc");
        assertEquals(2, badRepo.exitCode(), badRepo.describe());
        assertFalse(Files.exists(prefix.resolve("etc")), "nothing installed after a refusal");
    }
}
