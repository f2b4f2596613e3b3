package org.cvmfs.suite.conveyor.worker;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.List;
import org.cvmfs.suite.conveyor.worker.config.WorkerConfigSource;

/**
 * {@code conveyor worker} (spec 2.5): {@code -c/--config}, {@code --debug},
 * {@code --log-timestamps} and the worker flags {@code -n/--worker-name}, {@code -R/--job-retries},
 * {@code -T/--temp-dir}, as {@code --name value} or {@code --name=value}; a flag overrides the
 * file only when given. They become system properties before Quarkus reads its configuration.
 * The sub-command word itself ({@code worker}) is accepted and skipped, so the launcher may pass
 * its arguments through unchanged.
 */
@QuarkusMain
public final class WorkerMain implements QuarkusApplication {

    public static void main(String... args) {
        try {
            applyFlags(List.of(args));
        } catch (IllegalArgumentException e) {
            System.err.println("{\"level\":\"error\",\"error\":\"" + e.getMessage().replace("\"", "'")
                    + "\",\"message\":\"invalid arguments\"}");
            System.exit(1);
        }
        Quarkus.run(WorkerMain.class, args);
    }

    static void applyFlags(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("worker") && i == 0) {
                continue;
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (name) {
                case "--debug" -> {
                    if (value == null || Boolean.parseBoolean(value)) {
                        System.setProperty("quarkus.log.category.\"org.cvmfs\".level", "DEBUG");
                    }
                }
                case "--log-timestamps" -> { }
                case "-c", "--config" -> System.setProperty(WorkerConfigSource.CONFIG_PROPERTY, value(args, value == null ? ++i : i, value, a));
                case "-n", "--worker-name" -> System.setProperty("conveyor.worker.name", value(args, value == null ? ++i : i, value, a));
                case "-R", "--job-retries" -> {
                    String v = value(args, value == null ? ++i : i, value, a);
                    Integer.parseInt(v);
                    System.setProperty("conveyor.worker.job-retries", v);
                }
                case "-T", "--temp-dir" -> System.setProperty("conveyor.worker.temp-dir", value(args, value == null ? ++i : i, value, a));
                default -> throw new IllegalArgumentException("unknown flag or argument: " + a);
            }
        }
    }

    private static String value(List<String> args, int index, String inline, String flag) {
        if (inline != null) {
            return inline;
        }
        if (index >= args.size()) {
            throw new IllegalArgumentException("flag needs an argument: " + flag);
        }
        return args.get(index);
    }

    @Override
    public int run(String... args) {
        Quarkus.waitForExit();
        return 0;
    }
}
