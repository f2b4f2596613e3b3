package org.cvmfs.suite.notify.config;

import io.smallrye.config.common.MapBackedConfigSource;
import java.nio.file.Path;
import org.cvmfs.suite.protocol.config.ConfigOrdinal;
import org.cvmfs.suite.protocol.config.HostPaths;

/**
 * Makes {@code config.json} a configuration source (mapped by {@link NotifyConfigFile}), ranked
 * by {@link ConfigOrdinal#UPSTREAM_FILE} so an operator can still override any single property
 * ({@code -Dquarkus.http.port=...}).
 */
public final class NotifyConfigSource extends MapBackedConfigSource {
    public NotifyConfigSource() {
        this(NotifyConfigFile.location(System::getenv, HostPaths.fromEnvironment().etcCvmfs()));
    }

    private NotifyConfigSource(Path file) {
        super("cvmfs-notify " + file, NotifyConfigFile.properties(file, System::getenv), ConfigOrdinal.UPSTREAM_FILE, false);
    }
}
