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
 * <li>run the script, then publish under that tag; abort on any failure.</li>
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
 * <li>{@code PUBLISHED}, {@code ATTEMPT_ENDED}: the tag is in the history (marker still there at
 *     the first); the next attempt, holding the lease, finds the tag and reports success without
 *     publishing again;</li>
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

    public static String tagOf(String jobId) {
        return TAG_PREFIX + jobId;
    }

    public ProcessedJob run(UnprocessedJob job) throws InterruptedException {
        OffsetDateTime start = OffsetDateTime.now(clock);
        if (mock) {
            return result(job, start, true, "", null, null);
        }
        String[] log = {null};
        try {
            String message = attempt(job, log);
            return result(job, start, true, "", null, log[0] != null ? log[0] : message);
        } catch (JobFailure e) {
            LOG.infof("job %s failed: %s", job.id(), e.getMessage());
            return result(job, start, false, e.getMessage(), e.retryable(), log[0]);
        }
    }

    private String attempt(UnprocessedJob job, String[] log) throws InterruptedException {
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
                return "already published in revision " + earlier.get() + "; not run again";
            }
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
            open = false;
            JobStep.PUBLISHED.reached();
            return "published";
        } finally {
            if (open) {
                publisher.abort(repository);
            }
            markers.clear(repository);
        }
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
