package org.cvmfs.suite.server.swissknife;

import picocli.CommandLine.Command;

/** {@code cvmfs_swissknife}: upstream's collection of low-level tools, as far as the suite carries them. */
@Command(name = SwissknifeCommand.NAME, mixinStandardHelpOptions = true,
        description = "CernVM-FS low-level tools",
        subcommands = {NotifyCommand.class})
public final class SwissknifeCommand {
    public static final String NAME = "cvmfs_swissknife";
}
