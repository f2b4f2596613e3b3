package org.cvmfs.suite.server;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import picocli.CommandLine;

/**
 * The lean entry point of {@code cvmfs_server} and {@code cvmfs_swissknife}: plain picocli on
 * the class path, without booting Quarkus. No command of this module needs CDI, configuration
 * or Quarkus logging, and booting them cost about a second before every command (issue 11);
 * the commands, and so the work they do, are the same objects the Quarkus entry point
 * ({@link SuiteCommand} as {@code @TopCommand} of {@code quarkus-run.jar}) runs. The first
 * argument names the tool, as for {@code quarkus-run.jar}.
 *
 * <p>{@value #TRAINING} instead of a tool name runs the commands of a repository's life
 * (mkfs, check, ls, cat, list-catalogs) on a throw-away repository below the directory given
 * next, printing nothing: the launcher runs it once with {@code -XX:ArchiveClassesAtExit} so
 * that the class-data-sharing archive holds the classes real commands load.
 */
public final class Main {
    static final String TRAINING = "--class-data-sharing-training";

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals(TRAINING)) {
            train(Path.of(args[1]));
            return;
        }
        System.exit(run(args));
    }

    /** Runs one command line ({@code cvmfs_server ...} or {@code cvmfs_swissknife ...}); returns its exit code. */
    public static int run(String... args) {
        return new CommandLine(new SuiteCommand()).execute(args);
    }

    private static void train(Path scratch) throws Exception {
        Path prefix = Files.createTempDirectory(Files.createDirectories(scratch), "training.");
        try {
            String repo = "training.cvmfs-suite.invalid";
            for (List<String> command : List.of(List.of("mkfs", repo), List.of("check", repo), List.of("ls", repo, "/"),
                    List.of("cat", repo, "new_repository"), List.of("list-catalogs", repo))) {
                CommandLine cli = new CommandLine(new SuiteCommand());
                cli.setOut(new PrintWriter(new StringWriter()));
                cli.setErr(new PrintWriter(new StringWriter()));
                String[] args = new String[command.size() + 3];
                args[0] = "cvmfs_server";
                args[1] = "--prefix";
                args[2] = prefix.toString();
                for (int i = 0; i < command.size(); i++) {
                    args[i + 3] = command.get(i);
                }
                cli.execute(args);
            }
        } finally {
            DirectoryTree.delete(prefix);
        }
    }
}
