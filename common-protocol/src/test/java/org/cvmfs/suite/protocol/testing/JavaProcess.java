package org.cvmfs.suite.protocol.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a separate JVM started by a test (a packaged daemon, or a main class on the
 * test's own class path), so that tests which kill or relaunch a process build it one way: this
 * JVM's {@code java} binary, never whatever {@code java} the {@code PATH} holds.
 */
public final class JavaProcess {
    private JavaProcess() {
    }

    /** The {@code java} binary of the JVM running the tests. */
    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code java -cp CLASSPATH MAIN ARGS...} with this JVM's binary. */
    public static List<String> mainClass(String classPath, Class<?> main, List<String> args) {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-cp", classPath, main.getName()));
        command.addAll(args);
        return command;
    }

    /** As {@link #mainClass(String, Class, List)} on the test run's own class path. */
    public static List<String> mainClass(Class<?> main, List<String> args) {
        return mainClass(System.getProperty("java.class.path"), main, args);
    }
}
