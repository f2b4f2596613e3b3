package org.cvmfs.suite.conveyor.server.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.cvmfs.suite.protocol.conveyor.JobQuery;
import org.cvmfs.suite.protocol.conveyor.JobState;
import org.cvmfs.suite.protocol.conveyor.ProcessedJob;

/**
 * SQL of the job server, callers inside a transaction: our {@code conveyor_job} rows, their
 * dependency edges, upstream's {@code Jobs} table (upserted exactly as upstream does, times
 * normalised to UTC wall clock) and the outbox.
 */
@ApplicationScoped
public class JobStore {
    @Inject
    EntityManager em;
    @Inject
    Event<OutboxWritten> outboxWritten;

    public Optional<JobEntity> find(String id) {
        return Optional.ofNullable(JobEntity.findById(id));
    }

    public Optional<JobEntity> lock(String id) {
        return Optional.ofNullable(JobEntity.findById(id, LockModeType.PESSIMISTIC_WRITE));
    }

    /** Dependency edges per INSERT statement: one statement, not one per edge, for a job with many. */
    public static final int EDGES_PER_STATEMENT = 500;

    public void insert(JobEntity job, Collection<String> dependsOn) {
        job.persist();
        em.flush();
        List<String> deps = List.copyOf(dependsOn);
        for (int from = 0; from < deps.size(); from += EDGES_PER_STATEMENT) {
            List<String> chunk = deps.subList(from, Math.min(deps.size(), from + EDGES_PER_STATEMENT));
            StringBuilder sql = new StringBuilder("INSERT INTO conveyor_job_dependency (job_id, depends_on) VALUES ");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append("(?1, ?").append(i + 2).append(')');
            }
            var insert = em.createNativeQuery(sql.append(" ON CONFLICT DO NOTHING").toString()).setParameter(1, job.id);
            for (int i = 0; i < chunk.size(); i++) {
                insert.setParameter(i + 2, chunk.get(i));
            }
            insert.executeUpdate();
        }
    }

    /**
     * Lets the current transaction commit without waiting for PostgreSQL to flush its WAL
     * ({@code SET LOCAL synchronous_commit = off}): for writes that a crash may lose without
     * harm, never for a submission or a result, whose reply promises durability.
     */
    public void commitWithoutWaitingForDisk() {
        em.createNativeQuery("SET LOCAL synchronous_commit = off").executeUpdate();
    }

    /** Of {@code ids}, those the server knows. */
    public List<JobEntity> findAll(Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return JobEntity.list("id in ?1", List.copyOf(ids));
    }

    /**
     * Of {@code ids}, those the server knows, locked (SELECT ... FOR UPDATE) in id order. A
     * submission locks its dependencies so that it and a dependency's completion are serialised:
     * either the completion commits first and the submission reads the finished state, or the
     * submission commits first and the completion finds the new job among the waiting dependents.
     * Without the lock both can read the other's state from before, and the new job waits forever.
     */
    public List<JobEntity> lockAll(Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return em.createQuery("SELECT j FROM JobEntity j WHERE j.id IN ?1 ORDER BY j.id", JobEntity.class)
                .setParameter(1, List.copyOf(ids)).setLockMode(LockModeType.PESSIMISTIC_WRITE).getResultList();
    }

    /**
     * Jobs waiting on {@code id}, locked, in submission order: one statement (SELECT ... FOR
     * UPDATE OF the dependents), not one to find them and one more per dependent to lock it.
     */
    public List<JobEntity> waitingDependents(String id) {
        return em.createNativeQuery("SELECT j.* FROM conveyor_job j JOIN conveyor_job_dependency d ON d.job_id = j.id "
                        + "WHERE d.depends_on = ?1 AND j.state = 'waiting' ORDER BY j.submit_time, j.id FOR UPDATE OF j", JobEntity.class)
                .setParameter(1, id).getResultList();
    }

    /**
     * How many of {@code id}'s dependencies have not succeeded yet: one counting query, so that
     * the completion of each of a job's N dependencies costs the same whatever N is (loading the
     * N dependencies at every completion made a 200-dependency job quadratic). The caller holds
     * the dependent's lock, so completions of its dependencies are serialised and the last one
     * reads every earlier one's committed state.
     */
    public long unfinishedDependencies(String id) {
        Object n = em.createNativeQuery("SELECT count(*) FROM conveyor_job_dependency d JOIN conveyor_job j ON j.id = d.depends_on "
                + "WHERE d.job_id = ?1 AND j.state <> 'succeeded'").setParameter(1, id).getSingleResult();
        return ((Number) n).longValue();
    }

    /** Upstream's completion upsert of all 11 columns of {@code Jobs} (spec 8.2). */
    public void upsertUpstreamRow(ProcessedJob job) {
        em.createNativeQuery("INSERT INTO Jobs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (ID) DO UPDATE SET "
                        + "JobName = EXCLUDED.JobName, Repository = EXCLUDED.Repository, Payload = EXCLUDED.Payload, "
                        + "LeasePath = EXCLUDED.LeasePath, Dependencies = EXCLUDED.Dependencies, WorkerName = EXCLUDED.WorkerName, "
                        + "StartTime = EXCLUDED.StartTime, FinishTime = EXCLUDED.FinishTime, Successful = EXCLUDED.Successful, "
                        + "ErrorMessage = EXCLUDED.ErrorMessage")
                .setParameter(1, job.id())
                .setParameter(2, job.jobName())
                .setParameter(3, job.repository())
                .setParameter(4, job.payload())
                .setParameter(5, job.leasePath())
                .setParameter(6, job.dependencies() == null ? "" : String.join(",", job.dependencies()))
                .setParameter(7, job.workerName())
                .setParameter(8, utcWallClock(job.startTime()))
                .setParameter(9, utcWallClock(job.finishTime()))
                .setParameter(10, job.successful())
                .setParameter(11, job.errorMessage())
                .executeUpdate();
    }

    /** Rows of upstream's {@code Jobs} for {@code ids}, columns by position as upstream reads them. */
    @SuppressWarnings("unchecked")
    public List<Object[]> upstreamRows(Collection<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return em.createNativeQuery("SELECT ID, JobName, Repository, Payload, LeasePath, Dependencies, WorkerName, "
                + "StartTime, FinishTime, Successful, ErrorMessage FROM Jobs WHERE ID IN (?1)")
                .setParameter(1, List.copyOf(ids)).getResultList();
    }

    public void enqueue(String exchange, String routingKey, String body, OffsetDateTime notBefore) {
        em.createNativeQuery("INSERT INTO conveyor_outbox (exchange, routing_key, body, not_before) VALUES (?1, ?2, ?3, ?4)")
                .setParameter(1, exchange).setParameter(2, routingKey).setParameter(3, body)
                .setParameter(4, notBefore).executeUpdate();
        outboxWritten.fire(new OutboxWritten());
    }

    /** One page of jobs matching {@code query}, in submission order, and the number of matches. */
    public Page list(JobQuery query) {
        StringBuilder where = new StringBuilder(" WHERE 1=1");
        List<Object> params = new ArrayList<>();
        if (!query.ids().isEmpty()) {
            params.add(query.ids());
            where.append(" AND id IN ?").append(params.size());
        }
        if (!query.states().isEmpty()) {
            params.add(query.states().stream().map(JobState::wireName).toList());
            where.append(" AND state IN ?").append(params.size());
        }
        if (query.repository() != null) {
            params.add(query.repository());
            where.append(" AND repository = ?").append(params.size());
        }
        if (query.since() != null) {
            params.add(query.since());
            where.append(" AND submitTime >= ?").append(params.size());
        }
        if (query.until() != null) {
            params.add(query.until());
            where.append(" AND submitTime < ?").append(params.size());
        }
        var count = em.createQuery("SELECT count(j) FROM JobEntity j" + where, Long.class);
        var page = em.createQuery("SELECT j FROM JobEntity j" + where + " ORDER BY j.submitTime, j.id", JobEntity.class);
        for (int i = 0; i < params.size(); i++) {
            count.setParameter(i + 1, params.get(i));
            page.setParameter(i + 1, params.get(i));
        }
        page.setFirstResult(query.offset()).setMaxResults(query.limit());
        return new Page(count.getSingleResult(), page.getResultList());
    }

    /** Number of jobs per state, for metrics. */
    @SuppressWarnings("unchecked")
    public List<Object[]> countByState() {
        return em.createNativeQuery("SELECT state, count(*) FROM conveyor_job GROUP BY state").getResultList();
    }

    /** Upstream's start check: newest valid {@code SchemaVersion} (0 if none). */
    public int upstreamSchemaVersion() {
        Object v = em.createNativeQuery("SELECT COALESCE(MAX(VersionNumber), 0) FROM SchemaVersion WHERE ValidTo IS NULL")
                .getSingleResult();
        return ((Number) v).intValue();
    }

    public record Page(long total, List<JobEntity> jobs) {
    }

    /** {@code timestamp without time zone} holds UTC wall-clock time (spec 5.3's SHOULD). */
    static Timestamp utcWallClock(OffsetDateTime time) {
        return Timestamp.valueOf(time.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime());
    }

    public static OffsetDateTime fromUtcWallClock(Object value) {
        if (value instanceof Timestamp t) {
            return t.toLocalDateTime().atOffset(ZoneOffset.UTC);
        }
        if (value instanceof java.time.LocalDateTime l) {
            return l.atOffset(ZoneOffset.UTC);
        }
        if (value instanceof OffsetDateTime o) {
            return o.withOffsetSameInstant(ZoneOffset.UTC);
        }
        throw new IllegalArgumentException("not a timestamp: " + value);
    }
}
