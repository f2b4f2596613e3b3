package org.cvmfs.suite.protocol.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A suite home laid out as a package has it, for the tests that run a launcher of
 * {@code deploy/bin} against this build: the jars of a module under
 * {@code MODULE/target/quarkus-app} made from this test run's class path (jars linked, class
 * directories packed), and the resident JVMs such a test starts stopped at its end.
 */
public final class LaidOutSuite {
    private LaidOutSuite() {
    }

    /**
     * Lays out {@code module}'s packaged application below {@code suite} as the launcher finds it,
     * from this test run (whose working directory is the module's): an empty
     * {@code quarkus-run.jar} (the launcher only checks that it is there), {@code app/MODULE.jar}
     * packed from {@code target/classes}, and in {@code lib/main} the suite's protocol library and
     * each jar of the class path under the name {@code libraryName} gives it (null: left out).
     */
    public static void module(Path suite, String module, Function<Path, String> libraryName) throws IOException {
        Path app = Files.createDirectories(suite.resolve(module + "/target/quarkus-app"));
        Files.createFile(app.resolve("quarkus-run.jar"));
        jar(Path.of("target/classes"), Files.createDirectories(app.resolve("app")).resolve(module + ".jar"));
        Path libs = Files.createDirectories(app.resolve("lib/main"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.contains("common-protocol") && !entry.contains("test")) {
                jar(p, libs.resolve("org.cvmfs.suite.common-protocol-0.jar"));
            } else if (entry.endsWith(".jar") && libraryName.apply(p) != null) {
                jar(p, libs.resolve(libraryName.apply(p)));
            }
        }
    }

    /** A jar file at {@code target}: a link to {@code entry} if it is one, else its directory packed. */
    public static void jar(Path entry, Path target) throws IOException {
        if (Files.isRegularFile(entry)) {
            Files.createSymbolicLink(target, entry.toAbsolutePath());
            return;
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target)); Stream<Path> files = Files.walk(entry)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(entry.relativize(f).toString()));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
    }

    /** Stops (SIGTERM, then waits) every process whose command line names {@code dir}: the resident JVMs started below it. */
    public static void stopProcessesNaming(Path dir) throws InterruptedException, ExecutionException, TimeoutException {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            for (ProcessHandle p : all.filter(p -> p.info().commandLine().orElse("").contains(dir.toString())).toList()) {
                p.destroy();
                p.onExit().get(30, TimeUnit.SECONDS);
            }
        }
    }
}
