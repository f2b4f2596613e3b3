-- Ours: every job from submission on (states waiting, queued, running, succeeded, failed,
-- cancelled), its dependency edges, and the transactional outbox of broker messages.
-- Upstream's Jobs table keeps its meaning: one row per completed job.
CREATE TABLE IF NOT EXISTS conveyor_job (
    id char(36) NOT NULL PRIMARY KEY,
    job_name text NOT NULL,
    repository text NOT NULL,
    payload text NOT NULL,
    lease_path text NOT NULL,
    dependencies text NOT NULL,
    state varchar(16) NOT NULL,
    attempts int NOT NULL DEFAULT 0,
    worker_name text NOT NULL DEFAULT '',
    submit_time timestamptz NOT NULL,
    start_time timestamptz NULL,
    finish_time timestamptz NULL,
    error_message text NOT NULL DEFAULT '',
    log text NULL
);
CREATE INDEX IF NOT EXISTS conveyor_job_state ON conveyor_job (state);
CREATE INDEX IF NOT EXISTS conveyor_job_repository ON conveyor_job (repository, submit_time);
CREATE INDEX IF NOT EXISTS conveyor_job_submit_time ON conveyor_job (submit_time);

CREATE TABLE IF NOT EXISTS conveyor_job_dependency (
    job_id char(36) NOT NULL REFERENCES conveyor_job (id) ON DELETE CASCADE,
    depends_on char(36) NOT NULL,
    PRIMARY KEY (job_id, depends_on)
);
CREATE INDEX IF NOT EXISTS conveyor_job_dependency_on ON conveyor_job_dependency (depends_on);

CREATE TABLE IF NOT EXISTS conveyor_outbox (
    seq bigserial PRIMARY KEY,
    exchange text NOT NULL,
    routing_key text NOT NULL,
    body text NOT NULL,
    not_before timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS conveyor_outbox_due ON conveyor_outbox (not_before, seq);
