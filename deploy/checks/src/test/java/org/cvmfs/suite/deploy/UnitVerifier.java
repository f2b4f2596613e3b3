package org.cvmfs.suite.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Runs {@code systemd-analyze verify} on unit files and returns every line it printed about
 * them. The tool exits 0 on most mistakes (unknown keys, bad values, missing commands are only
 * logged), so the lines are the verdict, not the exit code. Template units are verified through
 * an instance ({@code NAME@root.service}), as {@code systemctl start conveyor-worker@root} would
 * load them. Installs Debian's systemd package when the tool is missing.
 */
final class UnitVerifier {
    private final Path scratch;

    UnitVerifier(Path scratch) {
        this.scratch = scratch;
    }

    /**
     * Copies each unit into the scratch directory, rewritten by {@code rewrite} (for example
     * {@code ExecStart} pointed at the checkout's launchers), and verifies the copies together.
     */
    List<String> problems(List<Path> units, UnaryOperator<String> rewrite) {
        ensureSystemdAnalyze();
        List<String> names = new ArrayList<>();
        try {
            for (Path unit : units) {
                String name = unit.getFileName().toString();
                Files.writeString(scratch.resolve(name), rewrite.apply(Files.readString(unit)));
                if (name.endsWith("@.service")) {
                    String instance = name.replace("@.service", "@root.service");
                    Files.createSymbolicLink(scratch.resolve(instance), Path.of(name));
                    names.add(instance);
                } else {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> argv = new ArrayList<>(List.of("systemd-analyze", "verify", "--man=no"));
        names.forEach(n -> argv.add("./" + n));
        Command verify = Command.run(scratch, argv.toArray(String[]::new));
        List<String> problems = new ArrayList<>();
        for (String line : verify.output().split("\n")) {
            boolean aboutOurs = line.contains(scratch.toString())
                    || names.stream().anyMatch(n -> line.startsWith(n + ":") || line.contains(n.replace("@root", "@")));
            if (aboutOurs) {
                problems.add(line);
            }
        }
        if (verify.exitCode() != 0 && problems.isEmpty()) {
            problems.add(verify.describe());
        }
        return problems;
    }

    private static void ensureSystemdAnalyze() {
        if (Command.run(Path.of("/"), "sh", "-c", "command -v systemd-analyze").exitCode() == 0) {
            return;
        }
        Command install = Command.run(Path.of("/"), "sh", "-c",
                "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q systemd");
        if (install.exitCode() != 0) {
            throw new IllegalStateException("systemd-analyze is missing and could not be installed: " + install.describe());
        }
    }
}
