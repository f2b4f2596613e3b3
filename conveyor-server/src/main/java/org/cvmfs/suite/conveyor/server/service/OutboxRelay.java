package org.cvmfs.suite.conveyor.server.service;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.conveyor.server.broker.BrokerConnection;
import org.cvmfs.suite.conveyor.server.persistence.JobStore;
import org.cvmfs.suite.conveyor.server.persistence.OutboxWritten;
import org.jboss.logging.Logger;

/**
 * Moves committed outbox rows to RabbitMQ. Invariant: a job's message is written in the same
 * SQL transaction as its state change, and its outbox row is deleted only after the broker
 * confirmed it. A crash or a broker/database outage in between therefore re-sends (at least
 * once) but never loses; workers and the completion path are idempotent by job id. Rows whose
 * {@code not_before} lies ahead (retry backoff) wait until due.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 200;

    @Inject
    EntityManager em;
    @Inject
    BrokerConnection broker;
    @Inject
    JobStore store;

    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running;
    private Thread thread;

    void start(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::loop, "conveyor-outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        wake.release();
    }

    /** After a commit that wrote outbox rows: send them now rather than at the next poll. */
    void written(@Observes(during = TransactionPhase.AFTER_SUCCESS) OutboxWritten event) {
        wake.release();
    }

    private void loop() {
        long pause = 100;
        while (running) {
            try {
                int sent = relayBatch();
                pause = 100;
                if (sent >= BATCH) {
                    continue;
                }
                wake.tryAcquire(250, TimeUnit.MILLISECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOG.warnf("outbox relay: %s; retrying in %d ms", e.toString(), pause);
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    return;
                }
                pause = Math.min(pause * 2, 5000);
            }
        }
    }

    /**
     * Takes due rows in order (one DELETE ... RETURNING: taken and locked by one statement) and
     * commits their deletion only after the broker confirmed them all: one confirm round trip and
     * one statement per batch, not per message (a burst of submissions travels as one batch). A
     * failed publish or confirm rolls the deletion back, so the whole batch is sent again.
     */
    @Transactional(rollbackOn = Exception.class) // a checked IOException must undo the deletion too
    @SuppressWarnings("unchecked")
    int relayBatch() throws java.io.IOException {
        // a committed deletion of confirmed rows may be lost in a crash: they are then sent again,
        // and a duplicate is absorbed (see the class comment); no disk sync is waited for
        store.commitWithoutWaitingForDisk();
        List<Object[]> rows = em.createNativeQuery("DELETE FROM conveyor_outbox WHERE seq IN (SELECT seq FROM conveyor_outbox "
                + "WHERE not_before <= now() ORDER BY seq LIMIT " + BATCH + " FOR UPDATE SKIP LOCKED) "
                + "RETURNING seq, exchange, routing_key, body").getResultList();
        if (rows.isEmpty()) {
            return 0;
        }
        rows.sort(java.util.Comparator.comparingLong(row -> ((Number) row[0]).longValue()));
        broker.publishAll(rows.stream().map(row -> new BrokerConnection.Message((String) row[1], (String) row[2], (String) row[3]))
                .toList());
        return rows.size();
    }
}
