package org.cvmfs.suite.protocol.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.manifest.KeyFiles;
import org.cvmfs.suite.protocol.manifest.RepositoryKeys;
import org.cvmfs.suite.protocol.manifest.SignedWhitelist;
import org.cvmfs.suite.protocol.repository.check.CheckOptions;
import org.cvmfs.suite.protocol.repository.check.CheckReport;
import org.cvmfs.suite.protocol.repository.check.FaultKind;
import org.cvmfs.suite.protocol.repository.check.RepositoryChecker;
import org.cvmfs.suite.protocol.testing.DirectorySnapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WhitelistResignerTest {
    static final Clock IN_40_DAYS = Clock.offset(Stratum0CreatorTest.CLOCK, Duration.ofDays(40));

    @TempDir
    Path tmp;
    private RepositoryLayout layout;

    @BeforeEach
    void mkfs() {
        layout = new RepositoryLayout(HostPaths.under(tmp.resolve("host")), "sign.example.org");
        Stratum0CreatorTest.mkfs(layout, HashAlgorithm.SHA1);
    }

    private CheckReport check(Clock clock) {
        return new RepositoryChecker(clock, tmp.resolve("scratch")).checkLocal(layout, CheckOptions.full());
    }

    @Test
    void resignRevivesAnExpiredRepository() {
        CheckReport expired = check(IN_40_DAYS);
        assertEquals(Optional.of(FaultKind.TRUST_CHAIN), expired.firstKind());
        assertTrue(expired.faults().get(0).message().startsWith("whitelist of sign.example.org expired"));

        SignedWhitelist w = new WhitelistResigner(IN_40_DAYS).resign(layout);
        assertEquals(IN_40_DAYS.instant().plus(Duration.ofDays(30)), w.whitelist().expires());
        assertTrue(check(IN_40_DAYS).passed(), () -> check(IN_40_DAYS).faults().toString());
    }

    @Test
    void resignIfDueOnlyActsNearExpiry() throws Exception {
        WhitelistResigner early = new WhitelistResigner(Clock.offset(Stratum0CreatorTest.CLOCK, Duration.ofDays(1)));
        byte[] before = Files.readAllBytes(layout.whitelist());
        assertTrue(early.resignIfDue(layout, Duration.ofDays(7)).isEmpty());
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(Files.readAllBytes(layout.whitelist())));

        WhitelistResigner late = new WhitelistResigner(Clock.offset(Stratum0CreatorTest.CLOCK, Duration.ofDays(25)));
        SignedWhitelist w = late.resignIfDue(layout, Duration.ofDays(7)).orElseThrow();
        assertEquals(Instant.parse("2027-01-19T10:00:00Z"), w.whitelist().expires());

        Files.writeString(layout.whitelist(), "garbage");
        assertTrue(early.resignIfDue(layout, Duration.ofDays(7)).isPresent(), "a damaged whitelist is replaced");
    }

    @Test
    void refusesACertificateTheManifestDoesNotName() throws Exception {
        Path crt = layout.keyDirectory().certificateFile(layout.fqrn());
        Path key = layout.keyDirectory().privateKeyFile(layout.fqrn());
        Files.delete(crt);
        Files.delete(key);
        RepositoryKeys other = RepositoryKeys.generate(layout.fqrn(), Stratum0CreatorTest.CLOCK);
        KeyFiles.writeCertificate(crt, other.certificate());
        KeyFiles.writePrivateKey(key, other.privateKey());
        DirectorySnapshot before = DirectorySnapshot.of(layout.hostPaths().prefix());
        RepositoryException e = assertThrows(RepositoryException.class,
                () -> new WhitelistResigner(IN_40_DAYS).resign(layout));
        assertTrue(e.getMessage().startsWith("the served manifest is signed with certificate "), e.getMessage());
        assertEquals(before, DirectorySnapshot.of(layout.hostPaths().prefix()));
    }

    @Test
    void refusesAMasterKeyThatDoesNotMatchThePublicKey() throws Exception {
        Path pub = layout.keyDirectory().masterPublicKeyFile(layout.fqrn());
        Files.delete(pub);
        KeyFiles.writePublicKey(pub, org.cvmfs.suite.protocol.manifest.RsaKeyPairs.generate().getPublic());
        DirectorySnapshot before = DirectorySnapshot.of(layout.hostPaths().prefix());
        RepositoryException e = assertThrows(RepositoryException.class,
                () -> new WhitelistResigner(IN_40_DAYS).resign(layout));
        assertTrue(e.getMessage().endsWith(": clients could not verify the whitelist"), e.getMessage());
        assertEquals(before, DirectorySnapshot.of(layout.hostPaths().prefix()));
    }
}
