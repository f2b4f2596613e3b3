package org.cvmfs.suite.worker;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import org.cvmfs.suite.worker.server.ServerCommand;
import org.cvmfs.suite.worker.swissknife.SwissknifeCommand;
import picocli.CommandLine.Command;

/**
 * Entry point of the publisher-tools deployable. Each launcher in {@code deploy/bin} names the
 * tool it stands for as the first argument ({@code cvmfs_server}, {@code cvmfs_swissknife},
 * {@code conveyor}), so one jar serves every command users know from upstream.
 */
@TopCommand
@Command(name = "cvmfs-suite", mixinStandardHelpOptions = true,
        description = "CernVM-FS publisher tools",
        subcommands = {ServerCommand.class, SwissknifeCommand.class})
public final class SuiteCommand {
}
