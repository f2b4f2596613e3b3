package org.cvmfs.suite.gateway.testing;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.cvmfs.suite.gateway.receiver.Backend;
import org.cvmfs.suite.gateway.receiver.CommitResult;
import org.cvmfs.suite.gateway.commit.NativeReceiver;
import org.cvmfs.suite.gateway.receiver.Receiver;
import org.cvmfs.suite.gateway.receiver.TagSpec;
import org.cvmfs.suite.gateway.lease.Lease;
import org.cvmfs.suite.protocol.config.GatewayUserConfig;
import org.cvmfs.suite.protocol.hash.ContentHash;

/**
 * The native backend as the tests see it: commits go to the {@link RecordingReceiver} (tests of
 * the commit seam) unless a test switches to the real {@link NativeReceiver}, so that both kinds
 * of test share one running gateway. Its priority is above the recording receiver's, so it is
 * the one the backend selection finds.
 */
@Singleton
@Alternative
@Priority(2)
@Backend(GatewayUserConfig.BACKEND_NATIVE)
public class ReceiverSwitch implements Receiver {
    private final RecordingReceiver recording;
    private final NativeReceiver real;
    private volatile boolean useReal;

    @Inject
    public ReceiverSwitch(@Backend(GatewayUserConfig.BACKEND_NATIVE) RecordingReceiver recording,
                          @Backend(GatewayUserConfig.BACKEND_NATIVE) NativeReceiver real) {
        this.recording = recording;
        this.real = real;
    }

    /** Commits from now on merge and publish for real. */
    public void useNative() {
        useReal = true;
    }

    /** Commits from now on are recorded only (the default). */
    public void useRecording() {
        useReal = false;
    }

    @Override
    public CommitResult commit(Lease lease, ContentHash oldRoot, ContentHash newRoot, TagSpec tag) {
        return (useReal ? real : recording).commit(lease, oldRoot, newRoot, tag);
    }
}
