package org.cvmfs.suite.protocol.crashtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A named step boundary of a multi-step write at which a crash test can hold a real process and
 * {@code kill -9} it exactly there. Every crash-safe writer marks its boundaries with
 * {@link #reached}.
 *
 * <p>Test-only hook, inert in production: only when {@value #PAUSE_AT_PROPERTY} names the point
 * and {@value #PAUSE_DIR_PROPERTY} a directory (system properties, or the environment variables
 * {@value #PAUSE_AT_ENV} and {@value #PAUSE_DIR_ENV} for a process started by a command line)
 * does the thread reaching it create the file {@code DIR/NAME} (holding the process id) and then
 * wait for ever. Both are read once, when the class loads.
 */
public final class PausePoint {
    public static final String PAUSE_AT_PROPERTY = "cvmfs.suite.test.pause-at";
    public static final String PAUSE_DIR_PROPERTY = "cvmfs.suite.test.pause-dir";
    public static final String PAUSE_AT_ENV = "CVMFS_SUITE_TEST_PAUSE_AT";
    public static final String PAUSE_DIR_ENV = "CVMFS_SUITE_TEST_PAUSE_DIR";

    private static final String PAUSE_AT = setting(PAUSE_AT_PROPERTY, PAUSE_AT_ENV);
    private static final String PAUSE_DIR = setting(PAUSE_DIR_PROPERTY, PAUSE_DIR_ENV);

    private PausePoint() {
    }

    private static String setting(String property, String env) {
        String value = System.getProperty(property);
        return value != null ? value : System.getenv(env);
    }

    /** Marks that the boundary {@code name} is reached; pauses only under the test hook. */
    public static void reached(String name) {
        if (PAUSE_AT == null || PAUSE_DIR == null || !PAUSE_AT.equals(name)) {
            return;
        }
        try {
            Files.createDirectories(Path.of(PAUSE_DIR));
            Files.writeString(Path.of(PAUSE_DIR).resolve(name), Long.toString(ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark pause point " + name, e);
        }
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException ignored) {
                // keep holding the process at this boundary until it is killed
            }
        }
    }
}
