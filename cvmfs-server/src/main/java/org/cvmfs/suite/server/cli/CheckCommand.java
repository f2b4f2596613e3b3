package org.cvmfs.suite.server.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.repository.RepositoryException;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.check.CheckOptions;
import org.cvmfs.suite.protocol.repository.check.CheckReport;
import org.cvmfs.suite.protocol.repository.check.FaultKind;
import org.cvmfs.suite.protocol.repository.check.ReflogRepair;
import org.cvmfs.suite.protocol.repository.check.RepositoryChecker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Verifies a repository strictly; changes nothing unless -r.",
            "Checks the manifest signature, certificate, whitelist and master key; the meta information; "
                + "the reflog; the history; every catalog (schema, counters, nested catalogs, path hashes, "
                + "flags); and, unless -c, that every referenced object is present and hashes to its name. "
                + "All faults are listed."},
        footer = {"", "Exit codes: 0 no problems; 1 the check could not run; 2 usage error; otherwise the "
                + "class of the first fault: 3 trust chain, 4 meta information, 5 reflog, 6 history, "
                + "7 catalog, 8 object. With -a: 0 (faults are in the output, as upstream's cron use wants)."})
final class CheckCommand implements Callable<Integer> {
    @ParentCommand
    ServerCommand server;

    @Spec
    CommandSpec spec;

    @Option(names = "-c", description = "do not fetch and hash the referenced objects")
    boolean skipObjects;

    @Option(names = "-t", paramLabel = "TAG", description = "check the catalogs of this tag instead of the head")
    String tag;

    @Option(names = "-i", description = "also check the integrity of the whole local storage (every file in data/)")
    boolean scrub;

    @Option(names = "-s", paramLabel = "PATH", description = "walk the objects below this path only")
    String subtree;

    @Option(names = "-r", description = "repair reflog problems first (reflog.chksum; an interrupted publication; a lost .cvmfsreflog)")
    boolean repairReflog;

    @Option(names = "-R", paramLabel = "CHECKSUM_FILE",
            description = "the reflog is this host's own (Stratum-1 replica): hold it to the digest in this file")
    Path replicaChecksum;

    @Option(names = "-a", description = "check every repository served from this host")
    boolean all;

    @Option(names = "-k", paramLabel = "KEY", description = "master public key(s) (default: /etc/cvmfs/keys/REPO.pub)")
    List<Path> keys = new ArrayList<>();

    @Option(names = "-N", paramLabel = "NAME", description = "expected repository name (for a URL; default: the manifest's)")
    String name;

    @Parameters(paramLabel = "REPO|URL", arity = "0..1",
            description = "repository served from this host, or a repository URL")
    String target;

    @Override
    public Integer call() {
        if (all == (target != null)) {
            throw new ParameterException(spec.commandLine(), all ? "no repository is expected with -a"
                    : "a repository (or -a) is required");
        }
        return server.run(spec, () -> {
            CheckOptions options = options();
            if (all) {
                for (RepositoryLayout layout : RepositoryChecker.localRepositories(server.hostPaths())) {
                    try {
                        checkOne(layout.fqrn(), options);
                    } catch (RuntimeException e) {
                        spec.commandLine().getOut().println("check of " + layout.fqrn() + " could not run: "
                                + e.getMessage());
                    }
                }
                spec.commandLine().getOut().flush();
                return ServerCommand.EXIT_OK;
            }
            return checkOne(target, options);
        });
    }

    private CheckOptions options() {
        CheckOptions options = new CheckOptions(!skipObjects, Optional.ofNullable(tag), Optional.empty());
        if (scrub) {
            options = options.withStorageScrub();
        }
        if (subtree != null) {
            options = options.withSubtree(RepositoryPath.of(subtree));
        }
        if (replicaChecksum != null) {
            options = options.withReplicaReflog(readChecksum(replicaChecksum));
        }
        return options;
    }

    private static ContentHash readChecksum(Path file) {
        try {
            return ContentHash.parse(Files.readString(file, StandardCharsets.US_ASCII).strip(), ObjectSuffix.NONE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the reflog checksum " + file, e);
        } catch (IllegalArgumentException e) {
            throw new RepositoryException(file + " does not hold a reflog digest");
        }
    }

    private int checkOne(String repository, CheckOptions options) {
        PrintWriter out = spec.commandLine().getOut();
        RepositoryTarget repo = RepositoryTarget.resolve(repository, name, keys, server.hostPaths());
        if (repairReflog) {
            if (repo.layout() == null) {
                throw new RepositoryException("-r repairs a repository of this host, not a URL");
            }
            for (String action : ReflogRepair.repair(repo.layout(), server.clock())) {
                out.println("Warning: " + action);
            }
        }
        if (options.scrubStorage() && repo.layout() == null) {
            out.println("Storage integrity check only works locally. skipping.");
            options = new CheckOptions(options.checkObjects(), options.tag(), options.reflogChecksum(),
                    options.replicaReflog(), options.subtree(), false);
        }
        RepositoryChecker checker = new RepositoryChecker(server.clock(), server.scratchDir());
        CheckReport report = repo.layout() != null
                ? checker.checkLocal(repo.layout(), repo.masterKeys(), options)
                : checker.check(repo.source(), repo.fqrn(), repo.masterKeys(), options);
        for (CheckReport.Fault f : report.faults()) {
            out.println("FAULT " + f);
        }
        for (String w : report.warnings()) {
            out.println("WARNING " + w);
        }
        Optional<FaultKind> first = report.firstKind();
        if (first.isEmpty()) {
            out.println("no problems found in " + repo.fqrn() + " at revision " + report.revision()
                    + " (" + report.objectsChecked() + " objects verified)");
        } else {
            out.println("check of " + repo.fqrn() + " failed: " + report.faults().size() + " fault(s), first class: "
                    + first.get().label());
        }
        out.flush();
        return first.map(FaultKind::exitCode).orElse(ServerCommand.EXIT_OK);
    }
}
