package org.cvmfs.suite.notify.relay;

import org.cvmfs.suite.notify.service.ActivityRelay;
import org.cvmfs.suite.notify.service.Publication;

/** Upstream's {@code testing_mode}: one node and no broker, so there is no one to tell. */
public final class SingleNodeRelay implements ActivityRelay {
    @Override
    public void start(Inbound inbound, Interest interest) {
    }

    @Override
    public boolean follow(String repository) {
        return true;
    }

    @Override
    public void release(String repository) {
    }

    @Override
    public void publish(Publication publication) {
    }

    @Override
    public boolean connected() {
        return true;
    }

    @Override
    public void stop() {
    }
}
