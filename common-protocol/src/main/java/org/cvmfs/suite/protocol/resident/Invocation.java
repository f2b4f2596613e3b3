package org.cvmfs.suite.protocol.resident;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * What one command line of a tool may use of the world around it: its output streams, its
 * standard input, its environment and its working directory. A command that takes one reaches for
 * nothing of the process (no {@code System.out}, no {@code System.getenv}, no relative path
 * resolved against the JVM's own directory), so that the same command code runs in a JVM of its
 * own ({@link #ofProcess()}) and in the {@link ResidentServer}, for a caller in another directory
 * with another environment.
 */
public record Invocation(PrintStream out, PrintStream err, InputStream in, Function<String, String> env, Path workingDirectory) {

    /** The process's own: stdout as UTF-8 (whatever the locale), stderr, stdin, environment, the JVM's directory. */
    public static Invocation ofProcess() {
        return new Invocation(new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8),
                System.err, System.in, System::getenv, Path.of(""));
    }

    /** {@code path} as the caller means it: relative to its working directory. */
    public Path resolve(Path path) {
        return workingDirectory.resolve(path);
    }
}
