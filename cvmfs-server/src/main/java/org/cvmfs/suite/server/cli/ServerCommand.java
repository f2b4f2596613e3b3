package org.cvmfs.suite.server.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.resident.Invocation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code cvmfs_server}: repository administration on a Stratum-0 / gateway host. The subcommands
 * are thin: they parse arguments, call the {@code org.cvmfs.suite.protocol.repository} operations
 * and turn failures into one line on stderr and an exit code.
 */
@Command(name = ServerCommand.NAME, mixinStandardHelpOptions = true,
        description = "Creates, signs, checks and inspects CernVM-FS repositories.",
        footer = {"",
            "Host paths default to /etc/cvmfs, /srv/cvmfs and /var/spool/cvmfs; --prefix DIR (or the "
                + "environment variable CVMFS_SUITE_PREFIX) relocates all three below DIR.",
            "",
            "Exit codes: 0 success, 1 failure, 2 usage error; check exits with 3-8 for the class of the "
                + "first fault found (see cvmfs_server check --help)."})
public final class ServerCommand {
    public static final String NAME = "cvmfs_server";
    /** The subcommands, each named by its {@code @Command}, in the order the usage lists them; see {@link #withSubcommands}. */
    static final List<Class<?>> SUBCOMMANDS = List.of(MkfsCommand.class, ResignCommand.class, CheckCommand.class,
            ListCatalogsCommand.class, LsCommand.class, CatCommand.class, TransactionCommand.class, PublishCommand.class,
            AbortCommand.class, IngestCommand.class, GcCommand.class);

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;

    @Option(names = "--prefix", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "relocate /etc/cvmfs, /srv/cvmfs and /var/spool/cvmfs below DIR "
                    + "(default: $CVMFS_SUITE_PREFIX, else /)")
    Path prefix;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "print stack traces of failures")
    boolean verbose;

    @Spec
    CommandSpec spec;

    private final Clock clock;
    private final OutputStream rawOut;
    private final Function<String, String> env;
    private final Path workingDirectory;

    /**
     * Registers on {@code command} (a {@code cvmfs_server} command line) the subcommands named
     * among {@code args}, or all of them when none is: a usage lists them all, a misspelt name gets
     * suggestions. Picocli builds the model of every registered command by reflection before it
     * parses anything, about a tenth of a second for all eleven on C1, which a {@code transaction}
     * need not pay for the other ten (issue 11; {@code ConveyorCli} does the same). A subcommand's
     * name given as a value ({@code ls check /}) only registers one more.
     */
    public static CommandLine withSubcommands(CommandLine command, String... args) {
        List<String> words = List.of(args);
        List<Class<?>> named = SUBCOMMANDS.stream()
                .filter(c -> words.contains(c.getAnnotation(Command.class).name())).toList();
        (named.isEmpty() ? SUBCOMMANDS : named).forEach(command::addSubcommand);
        return command;
    }

    public ServerCommand() {
        this(Clock.systemUTC(), System.out);
    }

    /**
     * For tests: whitelist expiry, timestamps and tags follow {@code clock}; file contents
     * ({@code cat}) go to {@code rawOut}.
     */
    public ServerCommand(Clock clock, OutputStream rawOut) {
        this(clock, rawOut, System::getenv, Path.of(""));
    }

    /**
     * For a command line run for a caller ({@code invocation}: the resident JVM's): file contents
     * go to its stdout, {@code CVMFS_SUITE_PREFIX} is read from its environment and a relative
     * {@code --prefix} is taken from its working directory.
     */
    public ServerCommand(Clock clock, Invocation invocation) {
        this(clock, invocation.out(), invocation.env(), invocation.workingDirectory());
    }

    private ServerCommand(Clock clock, OutputStream rawOut, Function<String, String> env, Path workingDirectory) {
        this.clock = clock;
        this.rawOut = rawOut;
        this.env = env;
        this.workingDirectory = workingDirectory;
    }

    public Clock clock() {
        return clock;
    }

    /** Where byte content goes; text output goes through picocli's writers. */
    OutputStream rawOut() {
        return rawOut;
    }

    /** Catalogs and databases being inspected are staged below here, never in a repository. */
    Path scratchDir() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    public HostPaths hostPaths() {
        return prefix != null ? HostPaths.under(workingDirectory.resolve(prefix)) : HostPaths.fromEnvironment(env);
    }

    /**
     * Runs one subcommand's work; a failure becomes {@code cvmfs_server <cmd>: <message>} on
     * stderr and exit code 1 (stack trace only with {@code -v}).
     */
    public int run(CommandSpec sub, Callable<Integer> work) {
        try {
            return work.call();
        } catch (Exception e) {
            PrintWriter err = sub.commandLine().getErr();
            err.println(spec.name() + " " + sub.name() + ": " + describe(e));
            if (verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return EXIT_FAILURE;
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        if (e instanceof java.io.UncheckedIOException && e.getCause() != null) {
            m = m + ": " + e.getCause().getMessage();
        }
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
