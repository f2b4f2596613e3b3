package org.cvmfs.suite.gateway.testing;

import io.quarkus.arc.Arc;
import org.cvmfs.suite.gateway.receiver.Backend;
import org.cvmfs.suite.protocol.config.GatewayUserConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * For tests of the one running gateway that touch its process-wide receiver state: before and
 * after every test the native backend is back to the {@link RecordingReceiver} and the recorder
 * is empty, whatever a test (or a failing one) left behind. Runs before the test class's own
 * {@code @BeforeEach}, which may then switch to the real receiver.
 */
public interface ResetsReceivers {
    @BeforeEach
    @AfterEach
    default void resetReceivers() {
        Backend nativeBackend = new Backend.Literal(GatewayUserConfig.BACKEND_NATIVE);
        Arc.container().instance(ReceiverSwitch.class, nativeBackend).get().useRecording();
        Arc.container().instance(RecordingReceiver.class, nativeBackend).get().reset();
    }
}
