package org.cvmfs.suite.conveyor.worker.job;

import java.nio.file.Path;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import org.cvmfs.suite.conveyor.worker.failure.JobFailure;
import org.cvmfs.suite.conveyor.worker.payload.PayloadFetcher;
import org.cvmfs.suite.conveyor.worker.payload.ScriptRunner;
import org.cvmfs.suite.conveyor.worker.publish.RepositoryPublisher;
import org.cvmfs.suite.protocol.conveyor.JobPayload;
import org.cvmfs.suite.protocol.conveyor.MalformedJobException;
import org.cvmfs.suite.protocol.conveyor.ProcessedJob;
import org.cvmfs.suite.protocol.conveyor.UnprocessedJob;
import org.jboss.logging.Logger;

/**
 * One attempt at one job, ending in the result to report (spec 7.1/7.2, with our fixes):
 * <ol>
 * <li>parse the payload and download and verify the script, before any lease is taken;</li>
 * <li>abort a transaction a killed job of this worker left on the repository (its marker);</li>
 * <li>mark, then open the transaction (waiting for a busy lease path);</li>
 * <li>look for the tag {@code conveyor-<job id>} in the history: holding the lease, no commit of
 *     another attempt of the job can still be under way, so a tag found means the job was
 *     published before and is reported successful without running again;</li>
 * <li>ask the server whether the job already ended: a duplicate copy of its message (the
 *     server's outbox publishes at least once) that waited for the lease while the job failed
 *     elsewhere must not run it again;</li>
 * <li>run the script, then publish under that tag; on a failure, store the result while the
 *     lease is still held (so that such a copy finds the job ended), then abort.</li>
 * </ol>
 * Interrupted (worker shutdown), the script is killed, the transaction aborted and
 * {@link InterruptedException} thrown: no result, the delivery goes back to the queue.
 *
 * <p>Invariant: the job is published at most once, and a worker killed at any {@link JobStep}
 * leaves a job that the next delivery finishes. The delivery stays unacked (the broker hands it
 * to another worker, or the restarted one, when the killed worker's connection drops) until the
 * server stored the result. What the next worker finds at each boundary:
 * <ul>
 * <li>{@code RECEIVED}, {@code CLAIMED}, {@code PAYLOAD_FETCHED}: nothing on the repository; the
 *     job may show as running on the dead worker, and the next claim takes it over;</li>
 * <li>{@code MARKED}: a marker, maybe no transaction; the same host's next job aborts quietly;</li>
 * <li>{@code TRANSACTION_OPENED}, {@code SCRIPT_FINISHED}: an open transaction and its lease,
 *     under the marker; the same host's next job aborts it (releasing the lease), another host
 *     waits for the lease to expire; nothing published, so the job runs again in full;</li>
 * <li>{@code PUBLISHED}, {@code ATTEMPT_ENDED} after a publication: the tag is in the history
 *     (marker still there at the first); the next attempt, holding the lease, finds the tag and
 *     reports success without publishing again;</li>
 * <li>{@code ATTEMPT_ENDED} after a failure under the lease: as {@code SCRIPT_FINISHED}, the
 *     failure not stored; the next attempt runs the job again;</li>
 * <li>{@code RESULT_STORED}: the job is finished on the server; the redelivered message is
 *     refused at the claim, acked and dropped.</li>
 * </ul>
 */
public final class JobRunner {
    public static final String TAG_PREFIX = "conveyor-";
    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    private final String workerName;
    private final boolean mock;
    private final PayloadFetcher fetcher;
    private final ScriptRunner scripts;
    private final RepositoryPublisher publisher;
    private final TransactionMarkers markers;
    private final Clock clock;

    public JobRunner(String workerName, boolean mock, PayloadFetcher fetcher, ScriptRunner scripts,
                     RepositoryPublisher publisher, TransactionMarkers markers, Clock clock) {
        this.workerName = workerName;
        this.mock = mock;
        this.fetcher = fetcher;
        this.scripts = scripts;
        this.publisher = publisher;
        this.markers = markers;
        this.clock = clock;
    }

    /** Mock mode ({@code CONVEYOR_MOCK_WORKER}): every job succeeds at once, nothing is run or published. */
    public boolean mock() {
        return mock;
    }

    public static String tagOf(String jobId) {
        return TAG_PREFIX + jobId;
    }

    /**
     * How an attempt ended: its result and whether the server stored it, or no result at all
     * ({@link #endedElsewhere()}) when the job had already ended when this attempt held its lease.
     */
    public record Ending(ProcessedJob result, boolean stored) {
        static final Ending ENDED_ELSEWHERE = new Ending(null, false);

        public boolean endedElsewhere() {
            return result == null;
        }
    }

    /** Runs one attempt and stores its result through {@code ledger}. */
    public Ending run(UnprocessedJob job, JobLedger ledger) throws InterruptedException {
        OffsetDateTime start = OffsetDateTime.now(clock);
        if (mock) {
            return end(result(job, start, true, "", null, null), ledger);
        }
        String[] log = {null};
        try {
            return attempt(job, start, log, ledger);
        } catch (JobFailure e) {
            LOG.infof("job %s failed: %s", job.id(), e.getMessage());
            return end(result(job, start, false, e.getMessage(), e.retryable(), log[0]), ledger);
        }
    }

    private Ending attempt(UnprocessedJob job, OffsetDateTime start, String[] log, JobLedger ledger)
            throws InterruptedException {
        Optional<JobPayload> payload;
        try {
            payload = job.payload().isEmpty() ? Optional.empty() : Optional.of(JobPayload.parse(job.payload()));
        } catch (MalformedJobException e) {
            throw new JobFailure(e.getMessage(), false, e);
        }
        Optional<Path> script = payload.isPresent() ? Optional.of(fetcher.fetch(payload.get())) : Optional.empty();
        JobStep.PAYLOAD_FETCHED.reached();
        String repository = job.repository();
        String leasePath = job.leasePath().isEmpty() ? "/" : job.leasePath();
        if (markers.find(repository).isPresent()) {
            LOG.infof("aborting the transaction left on %s by job %s", repository, markers.find(repository).get());
            publisher.abort(repository);
            markers.clear(repository);
        }
        checkInterrupt();
        markers.mark(repository, job.id());
        JobStep.MARKED.reached();
        boolean open = true;
        try {
            RepositoryPublisher.Workspace workspace = publisher.open(repository, leasePath);
            JobStep.TRANSACTION_OPENED.reached();
            Optional<Long> earlier = publisher.findTag(repository, tagOf(job.id()));
            if (earlier.isPresent()) {
                return end(result(job, start, true, "", null,
                        "already published in revision " + earlier.get() + "; not run again"), ledger);
            }
            if (ledger.ended(job)) {
                LOG.infof("job %s ended while this copy of its message waited for the lease; not run", job.id());
                return Ending.ENDED_ELSEWHERE;
            }
            try {
                if (script.isPresent()) {
                    ScriptRunner.Outcome outcome = scripts.run(script.get(), repository, leasePath,
                            payload.get().argument(), workspace.workingDirectory(),
                            Map.of("CONVEYOR_JOB_ID", job.id(), "CONVEYOR_LEASE_DIR", workspace.leaseDirectory().toString()));
                    log[0] = outcome.log();
                    if (!outcome.succeeded()) {
                        throw new JobFailure(outcome.errorMessage(), false);
                    }
                }
                JobStep.SCRIPT_FINISHED.reached();
                checkInterrupt();
                publisher.publish(repository, tagOf(job.id()), description(job));
            } catch (JobFailure e) {
                // stored while the lease is still held: a copy of the message waiting for it finds the job ended
                LOG.infof("job %s failed: %s", job.id(), e.getMessage());
                return end(result(job, start, false, e.getMessage(), e.retryable(), log[0]), ledger);
            }
            open = false;
            JobStep.PUBLISHED.reached();
            markers.clear(repository);
            return end(result(job, start, true, "", null, log[0] != null ? log[0] : "published"), ledger);
        } finally {
            if (open) {
                publisher.abort(repository);
            }
            markers.clear(repository);
        }
    }

    private static Ending end(ProcessedJob result, JobLedger ledger) {
        JobStep.ATTEMPT_ENDED.reached();
        return new Ending(result, ledger.store(result));
    }

    private static void checkInterrupt() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("worker shutting down");
        }
    }

    static String description(UnprocessedJob job) {
        return "conveyor job " + job.id() + (job.jobName().isEmpty() ? "" : " (" + job.jobName() + ")");
    }

    private ProcessedJob result(UnprocessedJob job, OffsetDateTime start, boolean ok, String error, Boolean retryable,
                                String log) {
        return ProcessedJob.of(job, workerName, start, OffsetDateTime.now(clock), ok, error)
                .withExtensions(job.attempt(), ok ? null : retryable, log);
    }
}
