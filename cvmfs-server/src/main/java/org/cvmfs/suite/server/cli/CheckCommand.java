package org.cvmfs.suite.server.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.cvmfs.suite.protocol.repository.check.CheckOptions;
import org.cvmfs.suite.protocol.repository.check.CheckReport;
import org.cvmfs.suite.protocol.repository.check.FaultKind;
import org.cvmfs.suite.protocol.repository.check.RepositoryChecker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Verifies a repository strictly; changes nothing.",
            "Checks the manifest signature, certificate, whitelist and master key; the meta information; "
                + "the reflog; the history; every catalog (schema, counters, nested catalogs, path hashes, "
                + "flags); and, unless -c, that every referenced object is present and hashes to its name. "
                + "All faults are listed."},
        footer = {"", "Exit codes: 0 no problems; 1 the check could not run; 2 usage error; otherwise the "
                + "class of the first fault: 3 trust chain, 4 meta information, 5 reflog, 6 history, "
                + "7 catalog, 8 object."})
final class CheckCommand implements Callable<Integer> {
    @ParentCommand
    ServerCommand server;

    @Spec
    CommandSpec spec;

    @Option(names = "-c", description = "do not fetch and hash the referenced objects")
    boolean skipObjects;

    @Option(names = "-t", paramLabel = "TAG", description = "check the catalogs of this tag instead of the head")
    String tag;

    @Option(names = "-k", paramLabel = "KEY", description = "master public key(s) (default: /etc/cvmfs/keys/REPO.pub)")
    List<Path> keys = new ArrayList<>();

    @Option(names = "-N", paramLabel = "NAME", description = "expected repository name (for a URL; default: the manifest's)")
    String name;

    @Parameters(paramLabel = "REPO|URL", description = "repository served from this host, or a repository URL")
    String target;

    @Override
    public Integer call() {
        return server.run(spec, () -> {
            CheckOptions options = new CheckOptions(!skipObjects, Optional.ofNullable(tag), Optional.empty());
            RepositoryChecker checker = new RepositoryChecker(server.clock(), server.scratchDir());
            RepositoryTarget repo = RepositoryTarget.resolve(target, name, keys, server.hostPaths());
            CheckReport report = repo.layout() != null
                    ? checker.checkLocal(repo.layout(), repo.masterKeys(), options)
                    : checker.check(repo.source(), repo.fqrn(), repo.masterKeys(), options);
            var out = spec.commandLine().getOut();
            for (CheckReport.Fault f : report.faults()) {
                out.println("FAULT " + f);
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
        });
    }
}
