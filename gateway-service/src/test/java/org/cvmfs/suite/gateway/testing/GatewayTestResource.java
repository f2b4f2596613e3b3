package org.cvmfs.suite.gateway.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import org.cvmfs.suite.protocol.config.HostPaths;

/** Starts the gateway on a fresh {@link TestHost}. */
public final class GatewayTestResource implements QuarkusTestResourceLifecycleManager {
    private static volatile TestHost host;

    public static TestHost host() {
        return host;
    }

    @Override
    public Map<String, String> start() {
        host = TestHost.create();
        System.setProperty(HostPaths.PREFIX_PROPERTY, host.prefix().toString());
        return Map.of("gateway.user_config_file", host.userConfig().toString());
    }

    @Override
    public void stop() {
        System.clearProperty(HostPaths.PREFIX_PROPERTY);
        host.delete();
    }
}
