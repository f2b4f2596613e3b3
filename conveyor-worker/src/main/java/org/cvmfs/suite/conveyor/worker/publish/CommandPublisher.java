package org.cvmfs.suite.conveyor.worker.publish;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.cvmfs.suite.conveyor.worker.failure.JobFailure;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.server.publish.PublisherConfiguration;

/**
 * Publishes through an installed upstream {@code cvmfs_server}, for operators who keep it
 * ({@code [worker] transaction_command} set). The commands are templates split on white space,
 * with {@code {repo}}, {@code {path}} (lease path, {@code /} for the root), {@code {target}}
 * ({@code repo/path} cleaned as upstream's {@code path.Join}), {@code {lease_wait}} (seconds),
 * {@code {tag}} and {@code {message}}. Example for cvmfs 2.8 and later, where {@code -r}
 * no longer exists: {@code cvmfs_server transaction -t {lease_wait} {target}}. The script runs
 * in {@code /cvmfs/REPO} as upstream's. The history is read over HTTP from the Stratum-0 of the
 * repository's {@code server.conf}.
 */
public final class CommandPublisher implements RepositoryPublisher {
    private final List<String> transaction;
    private final List<String> publish;
    private final List<String> abort;
    private final long leaseWaitSeconds;
    private final HostPaths hostPaths;
    private final Consumer<String> out;

    public CommandPublisher(List<String> transaction, List<String> publish, List<String> abort, long leaseWaitSeconds,
                            HostPaths hostPaths, Consumer<String> out) {
        this.transaction = List.copyOf(transaction);
        this.publish = List.copyOf(publish);
        this.abort = List.copyOf(abort);
        this.leaseWaitSeconds = leaseWaitSeconds;
        this.hostPaths = hostPaths;
        this.out = out;
    }

    @Override
    public Workspace open(String repository, String leasePath) {
        Result r = run(transaction, Map.of("repo", repository, "path", leasePath, "target", target(repository, leasePath)));
        if (r.status != 0) {
            throw new JobFailure("could not start CVMFS transaction: exit status " + r.status + tail(r.output), true);
        }
        Path root = hostPaths.resolve("/cvmfs/" + repository);
        String relative = target(repository, leasePath).substring(repository.length()).replaceFirst("^/", "");
        return new Workspace(root, relative.isEmpty() ? root : root.resolve(relative));
    }

    @Override
    public void publish(String repository, String tag, String description) {
        Result r = run(publish, Map.of("repo", repository, "tag", tag, "message", description));
        if (r.status != 0) {
            throw new JobFailure("could not commit CVMFS transaction: exit status " + r.status + tail(r.output), true);
        }
    }

    @Override
    public void abort(String repository) {
        run(abort, Map.of("repo", repository));
    }

    @Override
    public Optional<Long> findTag(String repository, String tag) {
        var settings = PublisherConfiguration.load(new RepositoryLayout(hostPaths, repository));
        return PublicationHistory.findTag(settings, tag, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** {@code repo} joined with the lease path and cleaned: {@code repo/} → {@code repo}. */
    static String target(String repository, String leasePath) {
        StringBuilder b = new StringBuilder(repository);
        for (String part : leasePath.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                b.append('/').append(part);
            }
        }
        return b.toString();
    }

    static List<String> fill(List<String> template, Map<String, String> values) {
        List<String> argv = new ArrayList<>();
        for (String word : template) {
            String w = word;
            for (Map.Entry<String, String> e : values.entrySet()) {
                w = w.replace("{" + e.getKey() + "}", e.getValue());
            }
            argv.add(w);
        }
        return argv;
    }

    private record Result(int status, String output) {
    }

    private Result run(List<String> template, Map<String, String> values) {
        Map<String, String> all = new java.util.HashMap<>(values);
        all.put("lease_wait", Long.toString(leaseWaitSeconds));
        List<String> argv = fill(template, all);
        out.accept("running " + String.join(" ", argv));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = p.waitFor();
            if (!output.isBlank()) {
                out.accept(output.strip());
            }
            return new Result(status, output);
        } catch (IOException e) {
            return new Result(127, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobFailure("interrupted while running " + argv.get(0), true, e);
        }
    }

    private static String tail(String output) {
        String s = output.strip();
        if (s.isEmpty()) {
            return "";
        }
        int nl = s.lastIndexOf('\n');
        return " (" + (nl < 0 ? s : s.substring(nl + 1)) + ")";
    }
}
