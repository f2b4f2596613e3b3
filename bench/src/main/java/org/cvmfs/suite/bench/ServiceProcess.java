package org.cvmfs.suite.bench;

import java.net.URI;
import java.time.Duration;
import org.cvmfs.suite.protocol.testing.HttpReady;

/** Waiting until one of the suite's daemons, run by a benchmark as a process on loopback, answers. */
final class ServiceProcess {
    private static final Duration LIMIT = Duration.ofMinutes(1);

    private ServiceProcess() {
    }

    /** Waits up to a minute until {@code url} answers 200; fails at once if {@code service} exits. */
    static void awaitReady(URI url, Process service, String what) throws InterruptedException {
        boolean answered = HttpReady.await(url, service, LIMIT);
        if (!service.isAlive()) {
            throw new IllegalStateException(what + " exited with " + service.exitValue());
        }
        if (!answered) {
            throw new IllegalStateException(what + " did not answer " + url + " within a minute");
        }
    }
}
