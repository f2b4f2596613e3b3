package org.cvmfs.suite.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import org.cvmfs.suite.protocol.repository.RepositoryException;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.ServerConfig;
import org.cvmfs.suite.protocol.repository.check.RepositoryChecker;
import org.cvmfs.suite.protocol.repository.gc.GarbageCollector;
import org.cvmfs.suite.protocol.repository.gc.GcOptions;
import org.cvmfs.suite.protocol.repository.gc.GcReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "gc", mixinStandardHelpOptions = true,
        description = {"Removes what no revision to keep references, on a garbage-collectable repository "
                + "of this host (mkfs -z).",
            "Keeps the head, the revisions of -r or -t (default: those of the last three days), every "
                + "tagged revision, and deletes every other object in data/, including orphans failed "
                + "publications uploaded, and what killed uploads and commits left behind. Holds the "
                + "repository's lock, so no publication of this host runs meanwhile. Asks for confirmation "
                + "unless -f or -d."})
final class GcCommand implements Callable<Integer> {
    /** Objects younger than this may belong to a publication that is still uploading. */
    static final Duration GRACE = Duration.ofHours(2);

    @ParentCommand
    ServerCommand server;

    @Spec
    CommandSpec spec;

    @Option(names = "-r", paramLabel = "N", description = "preserve the N revisions before the head")
    Integer revisions;

    @Option(names = "-t", paramLabel = "TIME",
            description = "preserve the revisions published since TIME (ISO-8601, e.g. 2026-11-01T00:00:00Z)")
    String since;

    @Option(names = "-d", description = "dry run: list what would be deleted, delete nothing")
    boolean dryRun;

    @Option(names = "-l", description = "print every deleted object")
    boolean list;

    @Option(names = "-L", paramLabel = "FILE", description = "append every deleted object to FILE")
    Path deletionLog;

    @Option(names = "-f", description = "do not ask for confirmation")
    boolean force;

    @Option(names = "-a", description = "every garbage-collectable repository of this host")
    boolean all;

    @Parameters(paramLabel = "REPO", arity = "0..*")
    List<String> repositories = new ArrayList<>();

    @Override
    public Integer call() {
        if (revisions != null && since != null) {
            throw new ParameterException(spec.commandLine(),
                    "Please specify either timestamp OR revision thresholds (-r and -t are mutual exclusive)");
        }
        if (revisions != null && revisions < 0) {
            throw new ParameterException(spec.commandLine(), "-r takes a number of revisions, not " + revisions);
        }
        return server.run(spec, () -> {
            List<RepositoryLayout> targets = targets();
            PrintWriter out = spec.commandLine().getOut();
            GcOptions options = options();
            if (!force && !dryRun && !confirm(targets, out)) {
                return ServerCommand.EXIT_FAILURE;
            }
            int status = ServerCommand.EXIT_OK;
            for (RepositoryLayout layout : targets) {
                try {
                    collect(layout, options, out);
                } catch (RuntimeException e) {
                    if (!all) {
                        throw e;
                    }
                    out.println("ERROR from cvmfs_server gc of " + layout.fqrn() + ": " + e.getMessage());
                }
            }
            out.flush();
            return status;
        });
    }

    private List<RepositoryLayout> targets() {
        if (all) {
            List<RepositoryLayout> collectable = RepositoryChecker.localRepositories(server.hostPaths()).stream()
                    .filter(l -> repositories.isEmpty() || repositories.contains(l.fqrn()))
                    .filter(GcCommand::garbageCollectable).toList();
            if (collectable.isEmpty()) {
                throw new RepositoryException("There are no active garbage-collectable repositories");
            }
            return collectable;
        }
        if (repositories.size() != 1) {
            throw new ParameterException(spec.commandLine(), "one repository (or -a) is required");
        }
        return List.of(new RepositoryLayout(server.hostPaths(), repositories.get(0)));
    }

    private static boolean garbageCollectable(RepositoryLayout layout) {
        try {
            return ServerConfig.read(layout).garbageCollection();
        } catch (RuntimeException unreadable) {
            return false;
        }
    }

    private GcOptions options() {
        Instant now = server.clock().instant();
        GcOptions options;
        if (revisions != null) {
            options = GcOptions.keepRevisions(revisions, GRACE);
        } else if (since != null) {
            options = GcOptions.keepSince(parseTime(since), GRACE);
        } else {
            options = new GcOptions(OptionalInt.empty(), Optional.of(now.minus(GcOptions.DEFAULT_AGE)), false, GRACE);
        }
        return dryRun ? options.asDryRun() : options;
    }

    private Instant parseTime(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return java.time.LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException again) {
                throw new ParameterException(spec.commandLine(), "Cannot parse time stamp '" + text + "'");
            }
        }
    }

    private boolean confirm(List<RepositoryLayout> targets, PrintWriter out) throws IOException {
        out.println("YOU ARE ABOUT TO DELETE DATA! Are you sure you want to do the following:");
        out.println("Affected Repositories:         "
                + String.join(" ", targets.stream().map(RepositoryLayout::fqrn).toList()));
        out.print("Please confirm this action (y/N)? ");
        out.flush();
        String reply = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8))
                .readLine();
        return reply != null && (reply.equals("y") || reply.equals("Y"));
    }

    private void collect(RepositoryLayout layout, GcOptions options, PrintWriter out) throws IOException {
        try (Writer log = deletionLog == null ? Writer.nullWriter() : Files.newBufferedWriter(deletionLog,
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            GcReport report = new GarbageCollector(layout, layout.keyDirectory().readRepositoryKeys(layout.fqrn()),
                    server.clock()).collect(options, object -> {
                        if (list) {
                            out.println(object);
                        }
                        try {
                            log.write(object + "\n");
                        } catch (IOException e) {
                            throw new UncheckedIOException("cannot write the deletion log " + deletionLog, e);
                        }
                    }, () -> false);
            out.println(layout.fqrn() + ": " + report.summary());
        }
    }
}
