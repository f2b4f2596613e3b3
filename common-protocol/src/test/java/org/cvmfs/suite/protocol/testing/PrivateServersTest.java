package org.cvmfs.suite.protocol.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The private servers start, stop, restart and crash on their own ports. */
class PrivateServersTest {
    @Test
    void privateRabbitMqStopsAndRestarts() throws Exception {
        try (PrivateRabbitMq mq = PrivateRabbitMq.startNew()) {
            assertTrue(FreePorts.awaitListening(mq.amqpPort(), Duration.ofSeconds(1), null));
            mq.stop();
            assertFalse(FreePorts.awaitListening(mq.amqpPort(), Duration.ofMillis(300), null));
            mq.start();
            assertTrue(FreePorts.awaitListening(mq.amqpPort(), Duration.ofSeconds(1), null));
            mq.kill();
            assertFalse(FreePorts.awaitListening(mq.amqpPort(), Duration.ofMillis(300), null));
            mq.start();
            assertTrue(FreePorts.awaitListening(mq.amqpPort(), Duration.ofSeconds(1), null));
        }
    }

    @Test
    void privatePostgresStopsRestartsAndSurvivesACrash() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.startNew()) {
            pg.createDatabase("t1");
            pg.psql("t1", "CREATE TABLE kept (x int); INSERT INTO kept VALUES (1)");
            pg.stop();
            assertFalse(FreePorts.awaitListening(pg.port(), Duration.ofMillis(300), null));
            pg.start();
            pg.kill();
            pg.start();
            pg.psql("t1", "DO $$ BEGIN IF (SELECT count(*) FROM kept) <> 1 THEN RAISE EXCEPTION 'lost'; END IF; END $$");
        }
    }
}
