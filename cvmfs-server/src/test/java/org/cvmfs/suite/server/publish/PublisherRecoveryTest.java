package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.ingest.IngestSettings;
import org.cvmfs.suite.protocol.manifest.KeyFiles;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.testing.FreePorts;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the publisher does with a transaction left behind by an interrupted command when the
 * gateway cannot be reached (a closed loopback port): nothing is lost, nothing is half-done,
 * and {@code abort -f} always gets the host back to a clean state.
 */
class PublisherRecoveryTest {
    private static final ContentHash OLD = ContentHash.parseSuffixed("65cb2f4851c2a8e44cf92151447d7e3157172db7C");
    private static final ContentHash NEW = ContentHash.parseSuffixed("06eacfa1551a99cdd89affb3b9ad6217a0066b5fC");

    @TempDir
    Path tmp;
    Publisher publisher;
    PublisherSpool spool;
    final List<String> output = new ArrayList<>();

    @BeforeEach
    void publisherWithUnreachableGateway() throws Exception {
        int closedPort = FreePorts.next();
        PublisherSettings settings = new PublisherSettings("capture.test",
                URI.create("http://127.0.0.1:" + closedPort + "/api/v1"), new GatewayKey("key1", "big_secret"),
                URI.create("http://127.0.0.1:" + closedPort + "/cvmfs/capture.test"),
                List.of(KeyFiles.readPublicKey(Fixtures.gatewayPublication().resolve("keys/capture.test.pub"))),
                tmp.resolve("spool"), IngestSettings.defaults(), 2, 2, true, "publisher-test", Duration.ofSeconds(5),
                Optional.empty());
        publisher = new Publisher(settings, new LocalRepositorySource(Fixtures.gatewayPublication().resolve("after-a")),
                Clock.systemUTC(), output::add);
        spool = publisher.spool();
    }

    private TransactionState state(TransactionState.Phase phase) {
        TransactionState s = TransactionState.leased("capture.test", RepositoryPath.of("/sw"), "TOKEN====", OLD, 2,
                Instant.parse("2026-11-25T05:00:00Z"));
        return phase == TransactionState.Phase.COMMITTING ? s.committing(NEW) : s.withPhase(phase);
    }

    @Test
    void transactionWithoutGatewayFailsCleanly() {
        PublisherException e = assertThrows(PublisherException.class,
                () -> publisher.transaction(RepositoryPath.of("/sw"), Optional.empty()));
        assertEquals(PublisherException.FAILED, e.exitCode());
        assertTrue(e.getMessage().contains("cannot acquire lease"), e.getMessage());
        assertEquals(Optional.empty(), spool.load());
        assertFalse(Files.exists(spool.sessionTokenFile()));
    }

    @Test
    void nothingToPublishOrAbortWithoutATransaction() {
        assertTrue(assertThrows(PublisherException.class, () -> publisher.publish(Optional.empty(), Optional.empty()))
                .getMessage().contains("not in a transaction"));
        assertTrue(assertThrows(PublisherException.class, () -> publisher.abort(false))
                .getMessage().contains("not in a transaction"));
    }

    @Test
    void interruptedTransactionCannotBePublishedButCanBeAborted() {
        spool.save(state(TransactionState.Phase.LEASED));
        PublisherException e = assertThrows(PublisherException.class, () -> publisher.publish(Optional.of("t"), Optional.empty()));
        assertTrue(e.getMessage().contains("run transaction again or abort"), e.getMessage());
        assertTrue(assertThrows(PublisherException.class,
                () -> publisher.transaction(RepositoryPath.of("/other"), Optional.empty())).getMessage()
                .contains("already in a transaction"));
        assertThrows(PublisherException.class, () -> publisher.abort(false));
        assertTrue(spool.load().isPresent(), "without -f an undroppable lease is kept");
        publisher.abort(true);
        assertEquals(Optional.empty(), spool.load());
        assertFalse(Files.exists(spool.sessionTokenFile()));
    }

    @Test
    void commitWithUnknownOutcomeStaysCommittingUntilResentOrAborted() {
        spool.save(state(TransactionState.Phase.COMMITTING));
        PublisherException e = assertThrows(PublisherException.class, () -> publisher.publish(Optional.empty(), Optional.empty()));
        assertTrue(e.getMessage().contains("Failed to commit transaction"), e.getMessage());
        assertEquals(Optional.of(state(TransactionState.Phase.COMMITTING)), spool.load());
        assertTrue(output.stream().anyMatch(l -> l.contains("Resending the commit of " + NEW)), output.toString());
        publisher.abort(true);
        assertEquals(Optional.empty(), spool.load());
    }

    @Test
    void damagedStateIsOnlyDiscardedByForce() throws Exception {
        spool.save(state(TransactionState.Phase.OPEN));
        Files.writeString(spool.stateFile(), "{ torn");
        assertThrows(PublisherException.class, () -> publisher.abort(false));
        assertTrue(Files.exists(spool.sessionTokenFile()));
        publisher.abort(true);
        assertFalse(Files.exists(spool.stateFile()));
        assertFalse(Files.exists(spool.sessionTokenFile()));
    }

    @Test
    void ingestRefusedWhileATransactionIsOpen() {
        spool.save(state(TransactionState.Phase.OPEN));
        PublisherException e = assertThrows(PublisherException.class, () -> publisher.ingestDelete(
                RepositoryPath.of("/sw/docs"), Optional.empty(), Optional.empty(), Optional.empty()));
        assertTrue(e.getMessage().contains("already in a transaction"), e.getMessage());
        assertEquals(Optional.of(state(TransactionState.Phase.OPEN)), spool.load());
    }
}
