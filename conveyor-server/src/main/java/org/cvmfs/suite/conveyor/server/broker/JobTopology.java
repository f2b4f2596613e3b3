package org.cvmfs.suite.conveyor.server.broker;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import java.io.IOException;
import org.cvmfs.suite.protocol.conveyor.ConveyorConfig;
import org.cvmfs.suite.protocol.conveyor.ConveyorTopology;

/**
 * Declares Conveyor's objects with upstream's exact kinds and flags (spec 6.2) so that a Go
 * process on the same broker never meets a 406. Upstream's server declares only the two
 * exchanges; ours also declares the durable {@code jobs.new} queue and its binding with the
 * flags upstream clients use, so that a job published before any worker started is kept, and
 * the dead-letter exchange and queue of our workers (new names, no argument on upstream's queue).
 */
public final class JobTopology {
    private JobTopology() {
    }

    public static void declare(Channel channel, ConveyorConfig.Queue names) throws IOException {
        channel.exchangeDeclare(names.newJobExchange(), BuiltinExchangeType.DIRECT,
                ConveyorTopology.NEW_JOB_EXCHANGE_DURABLE, false, false, null);
        channel.exchangeDeclare(names.completedJobExchange(), BuiltinExchangeType.TOPIC,
                ConveyorTopology.COMPLETED_JOB_EXCHANGE_DURABLE, false, false, null);
        channel.queueDeclare(names.newJobQueue(), ConveyorTopology.NEW_JOB_QUEUE_DURABLE, false, false, null);
        channel.queueBind(names.newJobQueue(), names.newJobExchange(), ConveyorTopology.NEW_JOB_ROUTING_KEY);
        String dead = deadLetterName(names);
        channel.exchangeDeclare(dead, BuiltinExchangeType.FANOUT, true, false, false, null);
        channel.queueDeclare(dead, true, false, false, null);
        channel.queueBind(dead, dead, "");
    }

    /** {@code jobs.dead}, or {@code <new_job_queue>.dead} when the queue name is configured. */
    public static String deadLetterName(ConveyorConfig.Queue names) {
        return ConveyorTopology.NEW_JOB_QUEUE.equals(names.newJobQueue())
                ? ConveyorTopology.DEAD_LETTER_QUEUE : names.newJobQueue() + ".dead";
    }
}
