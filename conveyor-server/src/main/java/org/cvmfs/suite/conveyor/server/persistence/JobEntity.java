package org.cvmfs.suite.conveyor.server.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;

/**
 * One job from submission on ({@code conveyor_job}, ours). The state machine is in
 * {@code service.JobService}; this class only holds the row. {@code dependencies} is the
 * comma-joined id list as upstream stores it in {@code Jobs}; the edges used for scheduling are
 * in {@code conveyor_job_dependency}.
 */
@Entity
@Table(name = "conveyor_job")
public class JobEntity extends PanacheEntityBase {
    @Id
    @Column(name = "id", columnDefinition = "bpchar(36)")
    public String id;
    @Column(name = "job_name")
    public String jobName;
    public String repository;
    public String payload;
    @Column(name = "lease_path")
    public String leasePath;
    public String dependencies;
    public String state;
    public int attempts;
    @Column(name = "worker_name")
    public String workerName;
    @Column(name = "submit_time")
    public OffsetDateTime submitTime;
    @Column(name = "start_time")
    public OffsetDateTime startTime;
    @Column(name = "finish_time")
    public OffsetDateTime finishTime;
    @Column(name = "error_message")
    public String errorMessage;
    public String log;

    public List<String> dependencyList() {
        return dependencies == null || dependencies.isEmpty() ? List.of() : Arrays.asList(dependencies.split(","));
    }
}
