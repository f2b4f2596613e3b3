package org.cvmfs.suite.gateway.repo;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.cvmfs.suite.gateway.config.GatewaySettings;

/**
 * The repositories configured in {@code repo.json} and whether each accepts new leases. As
 * upstream, every repository starts enabled; the flag is runtime state only.
 */
@Singleton
public final class RepositoryRegistry {
    private final Map<String, Repository> repositories;
    private final Set<String> disabled = ConcurrentHashMap.newKeySet();

    @Inject
    public RepositoryRegistry(GatewaySettings settings) {
        Map<String, Repository> map = new LinkedHashMap<>();
        settings.access().repositories().forEach((name, keyPaths) ->
                map.put(name, new Repository(name, keyPaths, settings.repositoryStorage(name))));
        this.repositories = Collections.unmodifiableMap(map);
    }

    public Optional<Repository> find(String name) {
        return Optional.ofNullable(repositories.get(name));
    }

    public List<Repository> all() {
        return new ArrayList<>(repositories.values());
    }

    public boolean isEnabled(String name) {
        return !disabled.contains(name);
    }

    /** Only new lease requests are affected; existing leases, payloads and commits go on. */
    public void setEnabled(String name, boolean enabled) {
        if (enabled) {
            disabled.remove(name);
        } else {
            disabled.add(name);
        }
    }
}
