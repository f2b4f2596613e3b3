package org.cvmfs.suite.conveyor.server.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.cvmfs.suite.conveyor.server.broker.BrokerConnection;
import org.cvmfs.suite.conveyor.server.service.JobService;
import org.cvmfs.suite.protocol.conveyor.JobState;

/**
 * {@code /q/metrics} gauges: {@code conveyor_jobs{state=...}} (read from the database when
 * scraped) and {@code conveyor_queue_depth} (messages ready in {@code jobs.new}). Durations and
 * submissions are recorded by {@code JobService}.
 */
@ApplicationScoped
public class JobMetrics {
    @Inject
    MeterRegistry registry;
    @Inject
    JobService jobs;
    @Inject
    BrokerConnection broker;

    private final Map<String, Long> counts = new ConcurrentHashMap<>();
    private volatile long lastRead;

    void register(@Observes StartupEvent event) {
        for (JobState state : JobState.values()) {
            Gauge.builder("conveyor.jobs", () -> count(state.wireName())).tag("state", state.wireName())
                    .description("jobs by state").register(registry);
        }
        Gauge.builder("conveyor.queue.depth", broker, BrokerConnection::newJobQueueDepth)
                .description("messages ready in the new-job queue").register(registry);
    }

    private double count(String state) {
        long now = System.currentTimeMillis();
        if (now - lastRead > 1000) {
            try {
                Map<String, Long> fresh = jobs.countByState();
                counts.clear();
                counts.putAll(fresh);
            } catch (RuntimeException e) {
                return Double.NaN;
            }
            lastRead = now;
        }
        return counts.getOrDefault(state, 0L);
    }
}
