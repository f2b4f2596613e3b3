package org.cvmfs.suite.gateway.admin;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.gateway.repo.RepositoryLocks;
import org.cvmfs.suite.gateway.repo.RepositoryRegistry;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.gateway.LeasePath;
import org.cvmfs.suite.protocol.gateway.LeasePathException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Operations for admin keys: enable or disable a repository, cancel leases, collect garbage. */
@Singleton
public class AdminService {
    private static final Logger LOG = Logger.getLogger(AdminService.class);
    /** {@code cvmfs_server gc -t} needs a form GNU date parses; upstream's Go rendering was not one. */
    private static final DateTimeFormatter GC_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");

    private final RepositoryRegistry repositories;
    private final LeaseService leases;
    private final RepositoryLocks locks;
    private final String serverCommand;
    private final Duration timeout;

    @Inject
    public AdminService(RepositoryRegistry repositories, LeaseService leases, RepositoryLocks locks,
                        GatewaySettings settings,
                        @ConfigProperty(name = "cvmfs.gateway.server-command", defaultValue = "cvmfs_server")
                        String serverCommand) {
        this.repositories = repositories;
        this.leases = leases;
        this.locks = locks;
        this.serverCommand = serverCommand;
        this.timeout = settings.user().maxLeaseTime();
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a stray log in the temp directory is harmless
            }
        }
    }

    public GatewayReply setEnabled(String repository, boolean enabled) {
        if (repositories.find(repository).isEmpty()) {
            return GatewayReply.error("invalid_repo");
        }
        repositories.setEnabled(repository, enabled);
        LOG.infof("repository %s: new leases %s", repository, enabled ? "enabled" : "disabled");
        return GatewayReply.ok();
    }

    /** {@code remainder} is {@code <repo>/<subpath prefix>} from the URL. */
    public GatewayReply cancelLeases(String remainder) {
        LeasePath prefix;
        try {
            prefix = LeasePath.parse(remainder);
        } catch (LeasePathException e) {
            return GatewayReply.error(e.getMessage());
        }
        int n = leases.cancelByPrefix(prefix.repository(), prefix.subpath());
        LOG.infof("admin cancelled %d lease(s) under %s", n, prefix);
        return GatewayReply.ok();
    }

    /** Runs {@code cvmfs_server gc} on this host, holding the repository's commit lock. */
    public GatewayReply collectGarbage(GcRequest request) {
        String repo = request.repo() == null ? "" : request.repo();
        if (repositories.find(repo).isEmpty()) {
            return GatewayReply.error("invalid_repo");
        }
        List<String> command = new ArrayList<>(List.of(serverCommand, "gc", "-f"));
        if (request.numRevisions() != 0) {
            command.addAll(List.of("-r", Integer.toString(request.numRevisions())));
        }
        request.time().ifPresent(t -> command.addAll(List.of("-t", GC_TIME.format(t.withOffsetSameInstant(ZoneOffset.UTC)))));
        if (request.dryRun()) {
            command.add("-d");
        }
        if (request.verbose()) {
            command.add("-l");
        }
        command.add(repo);
        ReentrantLock lock = locks.committing(repo);
        lock.lock();
        Path output = null;
        try {
            output = Files.createTempFile("cvmfs-gateway-gc.", ".log");
            LOG.infof("garbage collection: repository=%s command=%s", repo, command);
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return GatewayReply.error("garbage collection timed out after " + timeout.toSeconds() + "s");
            }
            if (p.exitValue() != 0) {
                LOG.warnf("garbage collection of %s failed with exit status %d", repo, p.exitValue());
                return GatewayReply.error("exit status " + p.exitValue());
            }
            return GatewayReply.gcOutput(Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return GatewayReply.error("cannot run " + serverCommand + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return GatewayReply.error("garbage collection interrupted");
        } finally {
            lock.unlock();
            deleteQuietly(output);
        }
    }
}
