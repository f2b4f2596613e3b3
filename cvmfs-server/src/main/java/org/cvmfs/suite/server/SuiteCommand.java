package org.cvmfs.suite.server;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import org.cvmfs.suite.server.cli.ServerCommand;
import org.cvmfs.suite.server.swissknife.SwissknifeCommand;
import picocli.CommandLine.Command;

/**
 * Entry point of the publisher-tools deployable (upstream's {@code cvmfs-server} package). Each
 * launcher in {@code deploy/bin} names the tool it stands for as the first argument
 * ({@code cvmfs_server}, {@code cvmfs_swissknife}), so one jar serves both commands.
 */
@TopCommand
@Command(name = "cvmfs-suite", mixinStandardHelpOptions = true,
        description = "CernVM-FS publisher tools",
        subcommands = {ServerCommand.class, SwissknifeCommand.class})
public final class SuiteCommand {
}
