package org.cvmfs.suite.protocol.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
