package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransactionStateTest {
    private static final ContentHash OLD = ContentHash.parseSuffixed("36648c0a923fdaca587f5440b541360c2d501ce3C");
    private static final ContentHash NEW = ContentHash.parseSuffixed("eef5f225445aef7083aad5959208c27c80710da8C");
    private static final String TOKEN = "XBV3K6GPARNPSBOHYL4P5IA7DI3HKCZEOU3NRSTVM5UXK3GEFK7A====";

    @TempDir
    Path spoolDir;

    private static TransactionState leased() {
        return TransactionState.leased("capture.test", RepositoryPath.of("/sw"), TOKEN, OLD, 1,
                Instant.parse("2026-11-25T04:59:10Z"));
    }

    @Test
    void roundTripsThroughJsonInEveryPhase() {
        TransactionState s = leased();
        for (TransactionState state : new TransactionState[] {s, s.withPhase(TransactionState.Phase.OPEN),
                s.withPhase(TransactionState.Phase.PUBLISHING), s.committing(NEW)}) {
            assertEquals(state, TransactionState.fromJson(state.toJson()));
        }
        assertEquals(Optional.of(NEW), TransactionState.fromJson(s.committing(NEW).toJson()).newRootCatalog());
    }

    @Test
    void theWorkTreeOfAnOpenedTransactionStaysThroughItsPhases() {
        TransactionState overlay = leased().opened(TransactionState.WorkTree.OVERLAY);
        for (TransactionState state : new TransactionState[] {overlay, overlay.withPhase(TransactionState.Phase.PUBLISHING),
                overlay.committing(NEW)}) {
            assertEquals(TransactionState.WorkTree.OVERLAY, TransactionState.fromJson(state.toJson()).workTree());
        }
        assertEquals(TransactionState.WorkTree.COPY, leased().workTree());
        // a state written before overlay transactions existed is a copy's
        String old = new String(overlay.toJson(), StandardCharsets.UTF_8).replaceAll(",\\s*\"work_tree\" : \"overlay\"", "");
        assertFalse(old.contains("work_tree"), old);
        assertEquals(TransactionState.WorkTree.COPY, TransactionState.fromJson(old.getBytes(StandardCharsets.UTF_8)).workTree());
    }

    @Test
    void refusesMalformedStateNamingTheField() {
        assertRefused("{}", "phase");
        assertRefused("[1]", "not a JSON object");
        assertRefused("{\"phase\":\"FLYING\"}", "FLYING");
        String good = new String(leased().toJson(), StandardCharsets.UTF_8);
        assertRefused(good.replace(OLD.toSuffixedText(), "nothex"), "base_root_catalog");
        assertRefused(good.replace(OLD.toSuffixedText(), OLD.toText()), "lacks suffix C");
        assertRefused(good.replace("\"/sw\"", "\"sw\""), "does not start with '/'");
        assertRefused(good.replace(TOKEN, "a/b"), "session token");
        assertRefused(good.replace("\"base_revision\" : 1", "\"base_revision\" : \"1\""), "base_revision");
        assertRefused(good.replace("\"LEASED\"", "\"COMMITTING\""), "COMMITTING only");
        assertRefused(good.replace("2026-11-25T04:59:10Z", "yesterday"), "started_at");
        assertRefused(good.replace("\"copy\"", "\"tmpfs\""), "work_tree 'tmpfs'");
        assertRefused("not json", "not JSON");
    }

    @Test
    void spoolKeepsTokenFileLikeUpstreamAndClearsEverything() throws Exception {
        PublisherSpool spool = new PublisherSpool(spoolDir);
        assertEquals(Optional.empty(), spool.load());
        TransactionState s = leased();
        spool.save(s);
        assertEquals(TOKEN, Files.readString(spool.sessionTokenFile()));
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(spool.sessionTokenFile()));
        assertEquals(Optional.of(s), spool.load());

        TransactionState committing = s.committing(NEW);
        spool.save(committing);
        assertEquals(Optional.of(committing), new PublisherSpool(spoolDir).load());
        try (var left = Files.list(spool.stateFile().getParent())) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }

        spool.clear();
        assertEquals(Optional.empty(), spool.load());
        assertFalse(Files.exists(spool.sessionTokenFile()));
    }

    @Test
    void damagedStateFileTellsHowToRecover() throws Exception {
        PublisherSpool spool = new PublisherSpool(spoolDir);
        spool.save(leased());
        Files.writeString(spool.stateFile(), "{\"phase\":");
        IllegalStateException e = assertThrows(IllegalStateException.class, spool::load);
        assertTrue(e.getMessage().contains("abort -f"), e.getMessage());
    }

    private static void assertRefused(String json, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TransactionState.fromJson(json.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}
