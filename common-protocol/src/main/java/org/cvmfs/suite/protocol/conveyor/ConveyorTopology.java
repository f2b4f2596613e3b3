package org.cvmfs.suite.protocol.conveyor;

/**
 * Upstream Conveyor's RabbitMQ objects and message properties, in one place (spec section 6).
 * Every process on a broker must declare these with exactly these flags: RabbitMQ closes the
 * channel with 406 PRECONDITION_FAILED when a declaration differs from an existing object, so an
 * upstream Go process sharing the broker would fail. Names are the defaults of the config keys
 * {@code new_job_exchange}, {@code new_job_queue}, {@code completed_job_exchange}.
 */
public final class ConveyorTopology {
    private ConveyorTopology() {
    }

    /** Direct, durable, not auto-deleted, not internal, no arguments. */
    public static final String NEW_JOB_EXCHANGE = "jobs.new";
    public static final String NEW_JOB_EXCHANGE_KIND = "direct";
    public static final boolean NEW_JOB_EXCHANGE_DURABLE = true;

    /** Durable, not exclusive, not auto-deleted, no arguments; bound to the exchange with key "". */
    public static final String NEW_JOB_QUEUE = "jobs.new";
    public static final boolean NEW_JOB_QUEUE_DURABLE = true;
    public static final String NEW_JOB_ROUTING_KEY = "";

    /** Topic, NOT durable, not auto-deleted, not internal, no arguments. */
    public static final String COMPLETED_JOB_EXCHANGE = "jobs.done";
    public static final String COMPLETED_JOB_EXCHANGE_KIND = "topic";
    public static final boolean COMPLETED_JOB_EXCHANGE_DURABLE = false;

    /** Waiters bind their server-named exclusive auto-delete queue with this key. */
    public static final String COMPLETED_JOB_BINDING = "#";
    public static final String ROUTING_SUCCESS = "success";
    public static final String ROUTING_FAILURE = "failure";

    /** Message properties of every publication: persistent, {@code text/json}, mandatory. */
    public static final int DELIVERY_MODE_PERSISTENT = 2;
    public static final String CONTENT_TYPE = "text/json";
    public static final boolean MANDATORY = true;

    /** Channel QoS of consumers: prefetch count 1, size 0, not global. */
    public static final int PREFETCH_COUNT = 1;

    /**
     * Our extension, not upstream's: undecodable job messages are dead-lettered here (a durable
     * fanout exchange and queue of this name) instead of stalling a worker.
     */
    public static final String DEAD_LETTER_EXCHANGE = "jobs.dead";
    public static final String DEAD_LETTER_QUEUE = "jobs.dead";

    public static String completionRoutingKey(boolean successful) {
        return successful ? ROUTING_SUCCESS : ROUTING_FAILURE;
    }
}
