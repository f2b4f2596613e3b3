package org.cvmfs.suite.server.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.cvmfs.suite.protocol.manifest.SignedWhitelist;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.WhitelistResigner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "resign", mixinStandardHelpOptions = true,
        description = {"Signs a fresh whitelist for the repository certificate.",
            "Whitelists expire; run this (e.g. from cron) well before the expiry date. Refuses if the "
                + "certificate is not the one the served manifest names."})
final class ResignCommand implements Callable<Integer> {
    @ParentCommand
    ServerCommand server;

    @Spec
    CommandSpec spec;

    @Option(names = "-d", paramLabel = "DAYS", description = "validity in days (default: ${DEFAULT-VALUE})")
    int days = 30;

    @Parameters(paramLabel = "REPO", description = "repository served from this host")
    String fqrn;

    @Override
    public Integer call() {
        return server.run(spec, () -> {
            if (days <= 0) {
                throw new IllegalArgumentException("-d must be a positive number of days, got " + days);
            }
            RepositoryLayout layout = new RepositoryLayout(server.hostPaths(), fqrn);
            SignedWhitelist w = new WhitelistResigner(server.clock()).resign(layout, Duration.ofDays(days));
            spec.commandLine().getOut().println("Signed the whitelist of " + fqrn + ", valid until "
                    + w.whitelist().expires());
            spec.commandLine().getOut().flush();
            return ServerCommand.EXIT_OK;
        });
    }
}
