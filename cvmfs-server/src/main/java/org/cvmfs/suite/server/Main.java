package org.cvmfs.suite.server;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.cvmfs.suite.protocol.http.HttpClients;
import org.cvmfs.suite.protocol.resident.Invocation;
import org.cvmfs.suite.server.cli.ServerCommand;
import org.cvmfs.suite.server.swissknife.SwissknifeCommand;
import picocli.CommandLine;

/**
 * The lean entry point of {@code cvmfs_server} and {@code cvmfs_swissknife}: plain picocli on
 * the class path, without booting Quarkus. No command of this module needs CDI, configuration
 * or Quarkus logging, and booting them cost about a second before every command (issue 11);
 * the commands, and so the work they do, are the same objects the Quarkus entry point
 * ({@link SuiteCommand} as {@code @TopCommand} of {@code quarkus-run.jar}) runs. The first
 * argument names the tool, as for {@code quarkus-run.jar}.
 *
 * <p>{@value #TRAINING} instead of a tool name runs {@link ClassDataSharingTraining} below the
 * directory given next: the launcher runs it once with {@code -XX:DumpLoadedClassList} so that
 * the class-data-sharing archive holds the classes real commands load.
 */
public final class Main {
    static final String TRAINING = "--class-data-sharing-training";

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals(TRAINING)) {
            ClassDataSharingTraining.run(Path.of(args[1]));
            return;
        }
        PublisherWarmUp.startFor(args);
        int exitCode = run(Invocation.ofProcess(), args);
        // a command that talked to a gateway or Stratum 0 would otherwise wait 300 ms in the exit
        HttpClients.releaseBeforeExit();
        System.exit(exitCode);
    }

    /**
     * Runs one command line ({@code cvmfs_server ...} or {@code cvmfs_swissknife ...}) with the
     * output, environment and working directory of {@code invocation}: this process's in a JVM of
     * its own, a caller's in the {@link ResidentPublisher}; returns its exit code.
     */
    static int run(Invocation invocation, String... args) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine.IFactory forCaller = new CommandLine.IFactory() {
            @Override
            @SuppressWarnings("unchecked")
            public <K> K create(Class<K> cls) throws Exception {
                return cls == ServerCommand.class ? (K) new ServerCommand(Clock.systemUTC(), invocation) : defaults.create(cls);
            }
        };
        CommandLine line = commandLine(forCaller, args);
        // flushed at every line, as picocli's own writers are
        line.setOut(new PrintWriter(new OutputStreamWriter(invocation.out(), StandardCharsets.UTF_8), true));
        line.setErr(new PrintWriter(new OutputStreamWriter(invocation.err(), StandardCharsets.UTF_8), true));
        try {
            return line.execute(args);
        } finally {
            line.getOut().flush();
            line.getErr().flush();
        }
    }

    /**
     * The subcommand of a {@code cvmfs_server} command line ({@code args[0]} the tool's name): the
     * first argument that is no option, {@code --prefix}'s value skipped (the launcher may put
     * {@code --prefix DIR} first); empty when there is none.
     */
    static String serverCommandOf(String... args) {
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--prefix")) {
                i++;
            } else if (!args[i].startsWith("-")) {
                return args[i];
            }
        }
        return "";
    }

    /**
     * The command tree for {@code args}: {@code cvmfs_server} with only the subcommands they
     * name ({@link ServerCommand#withSubcommands}); none for a {@code cvmfs_swissknife} command.
     */
    static CommandLine commandLine(String... args) {
        return commandLine(CommandLine.defaultFactory(), args);
    }

    private static CommandLine commandLine(CommandLine.IFactory factory, String... args) {
        CommandLine suite = new CommandLine(new SuiteCommand(), factory);
        if (args.length == 0 || !args[0].equals(SwissknifeCommand.NAME)) {
            ServerCommand.withSubcommands(suite.getSubcommands().get(ServerCommand.NAME), args);
        }
        return suite;
    }
}
