package org.cvmfs.suite.conveyor.worker.daemon;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.cvmfs.suite.conveyor.worker.failure.JobFailure;
import org.cvmfs.suite.conveyor.worker.job.JobLedger;
import org.cvmfs.suite.conveyor.worker.job.JobRunner;
import org.cvmfs.suite.conveyor.worker.job.JobStep;
import org.cvmfs.suite.conveyor.worker.queue.JobQueue;
import org.cvmfs.suite.protocol.conveyor.ConveyorJson;
import org.cvmfs.suite.protocol.conveyor.MalformedJobException;
import org.cvmfs.suite.protocol.conveyor.ProcessedJob;
import org.cvmfs.suite.protocol.conveyor.Replies;
import org.cvmfs.suite.protocol.conveyor.UnprocessedJob;
import org.jboss.logging.Logger;

/**
 * Takes one delivery at a time (spec 7.1): decode, run, report, and only then ack. The ack
 * rules (spec 7.3, with our fixes):
 * <ul>
 * <li>result stored by the server ({@code Status: ok}) → ack;</li>
 * <li>result not stored after a few tries → requeue: the next run finds the job's tag in the
 *     history and reports without publishing again;</li>
 * <li>the job ended while this copy of its message waited for the lease (a duplicate from the
 *     server's at-least-once outbox) → acked, nothing run or published;</li>
 * <li>the server says the job already finished or was cancelled, or (first delivery of this
 *     message) is running from another copy of it → acked, not run (a mock
 *     worker does not ask: its result for an ended job is acknowledged and changes nothing);</li>
 * <li>undecodable message → copied to the dead-letter queue, acked; the worker goes on;</li>
 * <li>shutdown during a job → the job is aborted, no result, requeue.</li>
 * </ul>
 */
public final class WorkerLoop implements Runnable {
    private static final Logger LOG = Logger.getLogger(WorkerLoop.class);

    /** What happened to one delivery; counted in the metrics. */
    public enum Outcome { SUCCEEDED, FAILED, DEAD_LETTERED, REQUEUED, SKIPPED }

    private final JobQueue queue;
    private final JobRunner runner;
    private final JobServer server;
    private final String workerName;
    private final int reportAttempts;
    private final Duration reportPause;
    private final java.util.function.BiConsumer<Outcome, Duration> observer;
    private final AtomicReference<String> currentJob = new AtomicReference<>();
    private volatile boolean stopping;
    private final JobLedger ledger = new JobLedger() {
        @Override
        public boolean ended(UnprocessedJob job) {
            return switch (server.claim(job, workerName, null)) {
                case SKIP, DUPLICATE -> true;
                case RUN -> false;
                case LATER -> throw new JobFailure(
                        "job server unreachable; not publishing without knowing the job is still to be done", true);
            };
        }

        @Override
        public boolean store(ProcessedJob result) {
            return report(result);
        }
    };

    public WorkerLoop(JobQueue queue, JobRunner runner, JobServer server, String workerName,
                      int reportAttempts, Duration reportPause, java.util.function.BiConsumer<Outcome, Duration> observer) {
        this.queue = queue;
        this.runner = runner;
        this.server = server;
        this.workerName = workerName;
        this.reportAttempts = reportAttempts;
        this.reportPause = reportPause;
        this.observer = observer;
    }

    /** The id of the job being run, if any. */
    public String currentJob() {
        return currentJob.get();
    }

    public void requestStop() {
        stopping = true;
    }

    @Override
    public void run() {
        try {
            queue.connect();
            while (!stopping) {
                JobQueue.Delivery d = queue.next(500);
                if (d == null) {
                    continue;
                }
                if (stopping) {
                    queue.requeue(d);
                    break;
                }
                handle(d);
            }
        } catch (InterruptedException e) {
            LOG.info("worker loop interrupted");
        }
    }

    void handle(JobQueue.Delivery d) throws InterruptedException {
        long started = System.nanoTime();
        UnprocessedJob job;
        try {
            job = ConveyorJson.read(d.body(), UnprocessedJob.class);
        } catch (MalformedJobException e) {
            LOG.errorf("could not decode job message (moved to %s): %s", "jobs.dead", e.getMessage());
            queue.deadLetter(d, "could not decode job: " + e.getMessage());
            observer.accept(Outcome.DEAD_LETTERED, Duration.ofNanos(System.nanoTime() - started));
            return;
        }
        JobStep.RECEIVED.reached();
        // a mock job has nothing to skip or to show as running: its result alone ends it (a
        // result for a job already ended changes nothing), so it costs one round trip, not two
        JobServer.Claim claim = runner.mock() ? JobServer.Claim.RUN : server.claim(job, workerName, d.redelivered());
        if (claim == JobServer.Claim.SKIP || claim == JobServer.Claim.DUPLICATE) {
            LOG.infof(claim == JobServer.Claim.SKIP ? "job %s already finished or cancelled; message dropped"
                    : "job %s is running from another copy of its message; this copy dropped", job.id());
            queue.ack(d);
            observer.accept(Outcome.SKIPPED, Duration.ofNanos(System.nanoTime() - started));
            return;
        }
        if (claim == JobServer.Claim.LATER) {
            LOG.warnf("job server unreachable; job %s goes back to the queue", job.id());
            Thread.sleep(reportPause.toMillis());
            queue.requeue(d);
            observer.accept(Outcome.REQUEUED, Duration.ofNanos(System.nanoTime() - started));
            return;
        }
        JobStep.CLAIMED.reached();
        currentJob.set(job.id());
        LOG.infof("start publishing job %s (%s%s, attempt %d%s)", job.id(), job.repository(), job.leasePath(),
                job.attemptNumber(), d.redelivered() ? ", redelivered" : "");
        JobRunner.Ending ending;
        try {
            ending = runner.run(job, ledger);
        } catch (InterruptedException e) {
            LOG.infof("job %s aborted by shutdown; back to the queue", job.id());
            queue.requeue(d);
            currentJob.set(null);
            observer.accept(Outcome.REQUEUED, Duration.ofNanos(System.nanoTime() - started));
            throw e;
        }
        currentJob.set(null);
        if (ending.endedElsewhere()) {
            LOG.infof("job %s already finished or cancelled; message dropped", job.id());
            queue.ack(d);
            observer.accept(Outcome.SKIPPED, Duration.ofNanos(System.nanoTime() - started));
            return;
        }
        ProcessedJob result = ending.result();
        Outcome outcome = ending.stored() ? (result.successful() ? Outcome.SUCCEEDED : Outcome.FAILED) : Outcome.REQUEUED;
        if (outcome == Outcome.REQUEUED) {
            queue.requeue(d);
        } else {
            JobStep.RESULT_STORED.reached();
            queue.ack(d);
        }
        LOG.infof("finished publishing job %s: success %s%s", job.id(), result.successful(),
                result.successful() ? "" : " (" + result.errorMessage() + ")");
        observer.accept(outcome, Duration.ofNanos(System.nanoTime() - started));
    }

    private boolean report(ProcessedJob result) {
        for (int attempt = 1; attempt <= reportAttempts; attempt++) {
            try {
                Replies.BasicReply reply = server.report(result);
                if (reply.isOk()) {
                    return true;
                }
                LOG.warnf("server did not store the result of job %s: %s", result.id(), reply.reason());
            } catch (RuntimeException e) {
                LOG.warnf("could not post the result of job %s: %s", result.id(), e.getMessage());
            }
            try {
                Thread.sleep(reportPause.toMillis() * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
