package org.cvmfs.suite.conveyor.server.service;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.cvmfs.suite.conveyor.server.persistence.JobEntity;
import org.cvmfs.suite.conveyor.server.persistence.JobStore;
import org.cvmfs.suite.protocol.conveyor.ConveyorConfig;
import org.cvmfs.suite.protocol.conveyor.ConveyorJson;
import org.cvmfs.suite.protocol.conveyor.ConveyorTopology;
import org.cvmfs.suite.protocol.conveyor.JobListReply;
import org.cvmfs.suite.protocol.conveyor.JobQuery;
import org.cvmfs.suite.protocol.conveyor.JobRecord;
import org.cvmfs.suite.protocol.conveyor.JobSpecification;
import org.cvmfs.suite.protocol.conveyor.JobState;
import org.cvmfs.suite.protocol.conveyor.JobStatus;
import org.cvmfs.suite.protocol.conveyor.ProcessedJob;
import org.cvmfs.suite.protocol.conveyor.Replies;
import org.cvmfs.suite.protocol.conveyor.UnprocessedJob;

/**
 * The job state machine, each transition one SQL transaction that also writes the broker
 * messages it implies into the outbox ({@link OutboxRelay}):
 * <pre>
 * submit ──deps all succeeded──▶ queued ──start──▶ running ──result──▶ succeeded | failed
 *    │                             ▲  └──────────cancel────────────▶ cancelled
 *    └──deps pending──▶ waiting ───┘ (last dep succeeded)   retryable failure ─▶ queued (backoff)
 *                          └──a dep failed/cancelled──▶ failed "failed job dependencies: [id]"
 * </pre>
 * Terminal states also write upstream's {@code Jobs} row and a {@code jobs.done} event, so that
 * upstream clients and servers see what they expect. A second result for a terminal job changes
 * nothing (redelivery after a lost ack).
 */
@ApplicationScoped
public class JobService {
    /** The bound on a job's stored script output; the tail is kept. */
    public static final int MAX_LOG = 64 * 1024;

    @Inject
    JobStore store;
    @Inject
    ConveyorConfig config;
    @Inject
    MeterRegistry metrics;

    @Transactional
    public Replies.PostNewJobReply submit(JobSpecification spec) {
        return submitOne(spec);
    }

    /**
     * Our extension: many jobs in one transaction (one commit for a batch, not one per job), all
     * submitted or, when one is refused, none; the refused one is named by its position.
     */
    @Transactional
    public Replies.PostJobsReply submitAll(List<JobSpecification> specs) {
        List<String> ids = new ArrayList<>(specs.size());
        for (int i = 0; i < specs.size(); i++) {
            Replies.PostNewJobReply reply = submitOne(specs.get(i));
            if (!reply.isOk()) {
                QuarkusTransaction.setRollbackOnly();
                return Replies.PostJobsReply.error(reply.reason(), i);
            }
            ids.add(reply.id());
        }
        return Replies.PostJobsReply.ok(ids);
    }

    private Replies.PostNewJobReply submitOne(JobSpecification spec) {
        List<String> deps = new ArrayList<>(new LinkedHashSet<>(spec.dependencyIds()));
        List<String> unknown = new ArrayList<>();
        List<String> canonical = new ArrayList<>();
        for (String dep : deps) {
            try {
                canonical.add(ConveyorJson.canonicalUuid(dep));
            } catch (IllegalArgumentException e) {
                unknown.add(dep);
            }
        }
        Map<String, JobEntity> known = store.lockAll(canonical).stream()
                .collect(Collectors.toMap(j -> j.id.trim(), Function.identity()));
        canonical.stream().filter(id -> !known.containsKey(id)).forEach(unknown::add);
        if (!unknown.isEmpty()) {
            return Replies.PostNewJobReply.error("unknown job dependencies: " + unknown);
        }
        JobEntity job = new JobEntity();
        job.id = UUID.randomUUID().toString();
        job.jobName = spec.jobName();
        job.repository = spec.repository();
        job.payload = spec.payload();
        job.leasePath = spec.leasePath();
        job.dependencies = String.join(",", spec.dependencyIds());
        job.attempts = 0;
        job.workerName = "";
        job.errorMessage = "";
        job.submitTime = now();
        List<String> failed = canonical.stream()
                .filter(id -> isFailedOrCancelled(known.get(id))).toList();
        boolean ready = failed.isEmpty()
                && canonical.stream().allMatch(id -> JobState.SUCCEEDED.wireName().equals(known.get(id).state));
        // inserted in the state it starts in: one INSERT, no UPDATE after it
        job.state = (ready ? JobState.QUEUED : JobState.WAITING).wireName();
        store.insert(job, canonical);
        if (!failed.isEmpty()) {
            failDependent(job, failed.get(0));
        } else if (ready) {
            queue(job, null);
        }
        metrics.counter("conveyor.jobs.submitted").increment();
        return Replies.PostNewJobReply.ok(job.id);
    }

    /** A worker's result (POST /jobs/complete). */
    @Transactional
    public Replies.BasicReply complete(ProcessedJob result) {
        var tracked = store.lock(result.id());
        if (tracked.isEmpty()) {
            // a job we never saw (submitted to an upstream server): behave as upstream does
            store.upsertUpstreamRow(result);
            announce(result.status());
            return Replies.BasicReply.ok();
        }
        JobEntity job = tracked.get();
        JobState state = JobState.fromWire(job.state);
        if (state.terminal()) {
            return Replies.BasicReply.ok();
        }
        int attempts = Math.max(job.attempts, result.attempt() == null ? 1 : result.attempt());
        job.attempts = attempts;
        job.workerName = result.workerName();
        job.log = bounded(result.log());
        RetryPolicy retry = RetryPolicy.of(config.worker().jobRetries());
        if (!result.successful() && result.isRetryable() && retry.mayRetry(attempts)) {
            job.errorMessage = result.errorMessage();
            queue(job, retry.delayAfter(attempts));
            metrics.counter("conveyor.jobs.retried").increment();
            return Replies.BasicReply.ok();
        }
        job.startTime = result.startTime();
        job.finishTime = result.finishTime();
        job.errorMessage = result.errorMessage();
        finish(job, result.successful());
        Duration took = Duration.between(result.startTime(), result.finishTime());
        if (!took.isNegative() && took.toDays() < 1) {
            metrics.timer("conveyor.job.duration", "success", Boolean.toString(result.successful())).record(took);
        }
        return Replies.BasicReply.ok();
    }

    /**
     * Our extension: a worker is about to run {@code id}. Refused (Status error) when the job is
     * finished or cancelled, so that a redelivered or cancelled message is acked and skipped; and
     * when it is running and this delivery is a first one ({@code redelivered} false): the broker
     * hands a message out again only after its consumer's channel closed (redelivered true,
     * the takeover of a dead worker's job), so a first delivery of a running job is a second copy
     * of its message (the outbox publishes at least once) and would otherwise hold a worker slot
     * while it waited for the lease. {@code redelivered} null (a claim not tied to a delivery,
     * the worker's second claim under the lease, or an older worker): not checked.
     */
    @Transactional
    public Replies.BasicReply start(String id, String workerName, Integer attempt, Boolean redelivered) {
        // "running" is advisory (the result alone ends a job): a crash may lose it, so the claim
        // does not wait for its WAL flush, which would add a disk sync to every job's path
        store.commitWithoutWaitingForDisk();
        var tracked = store.lock(id);
        if (tracked.isEmpty()) {
            return Replies.BasicReply.error("unknown job");
        }
        JobEntity job = tracked.get();
        JobState state = JobState.fromWire(job.state);
        if (state.terminal()) {
            return Replies.BasicReply.error("job " + state.wireName());
        }
        if (state == JobState.WAITING) {
            return Replies.BasicReply.error("job waiting for dependencies");
        }
        if (state == JobState.RUNNING && Boolean.FALSE.equals(redelivered)) {
            return Replies.BasicReply.error("job " + state.wireName());
        }
        job.state = JobState.RUNNING.wireName();
        job.workerName = workerName == null ? "" : workerName;
        job.startTime = now();
        if (attempt != null && attempt > job.attempts) {
            job.attempts = attempt;
        }
        return Replies.BasicReply.ok();
    }

    /** Our extension: cancel a job that has not started. */
    @Transactional
    public Replies.BasicReply cancel(String id) {
        var tracked = store.lock(id);
        if (tracked.isEmpty()) {
            return Replies.BasicReply.error("unknown job");
        }
        JobEntity job = tracked.get();
        JobState state = JobState.fromWire(job.state);
        if (state != JobState.WAITING && state != JobState.QUEUED) {
            return Replies.BasicReply.error("job " + state.wireName() + ", cannot cancel");
        }
        OffsetDateTime t = now();
        job.startTime = t;
        job.finishTime = t;
        job.errorMessage = "cancelled";
        job.state = JobState.CANCELLED.wireName();
        writeTerminal(job, false);
        return Replies.BasicReply.ok();
    }

    /** GET /jobs/complete: upstream's reply from upstream's table. */
    @Transactional
    public Replies.GetJobStatusReply completed(List<String> ids, boolean full) {
        List<String> valid = ids.stream().map(String::toLowerCase).filter(JobService::isUuid).toList();
        List<Object[]> rows = store.upstreamRows(valid);
        if (!full) {
            return Replies.GetJobStatusReply.shortForm(rows.stream()
                    .map(r -> new JobStatus(((String) r[0]).trim(), (Boolean) r[9])).toList());
        }
        return Replies.GetJobStatusReply.full(rows.stream().map(JobService::processed).toList());
    }

    @Transactional
    public JobListReply list(JobQuery query) {
        JobStore.Page page = store.list(query);
        List<String> unknown = List.of();
        if (!query.ids().isEmpty()) {
            var known = store.findAll(query.ids().stream().filter(JobService::isUuid).toList())
                    .stream().map(j -> j.id.trim()).collect(Collectors.toSet());
            unknown = query.ids().stream().filter(id -> !known.contains(id)).toList();
        }
        return new JobListReply(Replies.OK, null, page.total(), query.offset(), query.limit(),
                page.jobs().stream().map(JobService::record).toList(), unknown);
    }

    @Transactional
    public Map<String, Long> countByState() {
        return store.countByState().stream().collect(Collectors.toMap(r -> (String) r[0], r -> ((Number) r[1]).longValue()));
    }

    private void queue(JobEntity job, Duration delay) {
        job.state = JobState.QUEUED.wireName();
        int attempt = job.attempts + 1;
        UnprocessedJob message = new UnprocessedJob(job.id, job.jobName, job.repository, job.payload, job.leasePath,
                job.dependencyList(), attempt);
        store.enqueue(config.queue().newJobExchange(), ConveyorTopology.NEW_JOB_ROUTING_KEY,
                ConveyorJson.writeString(message), delay == null ? now() : now().plus(delay));
    }

    private void finish(JobEntity job, boolean successful) {
        job.state = (successful ? JobState.SUCCEEDED : JobState.FAILED).wireName();
        writeTerminal(job, successful);
    }

    /** Upstream row + completion event, then the dependents. */
    private void writeTerminal(JobEntity job, boolean successful) {
        ProcessedJob row = processed(job, successful);
        store.upsertUpstreamRow(row);
        announce(row.status());
        for (JobEntity dependent : store.waitingDependents(job.id.trim())) {
            if (!successful) {
                failDependent(dependent, job.id.trim());
            } else if (store.unfinishedDependencies(dependent.id.trim()) == 0) {
                queue(dependent, null);
            }
        }
    }

    private void failDependent(JobEntity job, String failedDependency) {
        OffsetDateTime t = now();
        job.startTime = t;
        job.finishTime = t;
        job.errorMessage = "failed job dependencies: [" + failedDependency + "]";
        finish(job, false);
    }

    private void announce(JobStatus status) {
        store.enqueue(config.queue().completedJobExchange(), ConveyorTopology.completionRoutingKey(status.successful()),
                ConveyorJson.writeString(status), now());
    }

    private static boolean isFailedOrCancelled(JobEntity job) {
        return JobState.FAILED.wireName().equals(job.state) || JobState.CANCELLED.wireName().equals(job.state);
    }

    private static ProcessedJob processed(JobEntity job, boolean successful) {
        return new ProcessedJob(job.id.trim(), job.jobName, job.repository, job.payload, job.leasePath,
                job.dependencyList().isEmpty() ? null : job.dependencyList(), job.workerName,
                job.startTime == null ? ConveyorJson.ZERO_TIME : job.startTime,
                job.finishTime == null ? ConveyorJson.ZERO_TIME : job.finishTime,
                successful, job.errorMessage, null, null, null);
    }

    private static ProcessedJob processed(Object[] r) {
        String deps = (String) r[5];
        return new ProcessedJob(((String) r[0]).trim(), (String) r[1], (String) r[2], (String) r[3], (String) r[4],
                deps.isEmpty() ? null : List.of(deps.split(",")), (String) r[6],
                JobStore.fromUtcWallClock(r[7]), JobStore.fromUtcWallClock(r[8]), (Boolean) r[9], (String) r[10],
                null, null, null);
    }

    private static JobRecord record(JobEntity j) {
        return new JobRecord(j.id.trim(), j.jobName, j.repository, j.payload, j.leasePath,
                j.dependencyList().isEmpty() ? null : j.dependencyList(), j.state, j.attempts, j.workerName,
                utc(j.submitTime), utc(j.startTime), utc(j.finishTime), j.errorMessage, j.log);
    }

    private static OffsetDateTime utc(OffsetDateTime t) {
        return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC);
    }

    static String bounded(String log) {
        if (log == null || log.length() <= MAX_LOG) {
            return log;
        }
        return "[... " + (log.length() - MAX_LOG) + " characters cut]\n" + log.substring(log.length() - MAX_LOG);
    }

    private static boolean isUuid(String id) {
        try {
            ConveyorJson.canonicalUuid(id);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
