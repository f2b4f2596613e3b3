package org.cvmfs.suite.conveyor.server.service;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.cvmfs.suite.conveyor.server.persistence.JobStore;
import org.cvmfs.suite.protocol.conveyor.ConveyorConfig;
import org.jboss.logging.Logger;

/** Upstream's start order (spec 2.4): config, database schema version 1, then serving. */
@ApplicationScoped
public class StartupCheck {
    private static final Logger LOG = Logger.getLogger(StartupCheck.class);
    public static final int SCHEMA_VERSION = 1;

    @Inject
    ConveyorConfig config;
    @Inject
    JobStore store;

    @Transactional
    void check(@Observes StartupEvent event) {
        int version = store.upstreamSchemaVersion();
        if (version != SCHEMA_VERSION) {
            throw new IllegalStateException("invalid schema version: latest = " + SCHEMA_VERSION + ", database = " + version);
        }
        LOG.infof("conveyor server on port %d, database %s, queue %s:%d%s", config.server().port(),
                config.db().database(), config.queue().host(), config.queue().port(), config.queue().vhost());
    }
}
