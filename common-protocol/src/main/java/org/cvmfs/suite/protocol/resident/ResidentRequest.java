package org.cvmfs.suite.protocol.resident;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One command line sent to the {@link ResidentServer} by the launcher ({@code run_suite_resident}), as bash's
 * {@code printf '%s\0'} writes it: NUL-terminated fields (no argument or environment value can
 * hold a NUL) — the suite home of the caller's launcher, its working directory, the number of
 * environment entries and each as {@code NAME=VALUE}, the number of arguments and each argument.
 * Bounded in every dimension, so a stray or hostile peer cannot make the resident JVM buffer
 * without end.
 */
record ResidentRequest(String suiteHome, String workingDirectory, Map<String, String> environment, List<String> args) {
    static final int MAX_REQUEST = 4 * 1024 * 1024;
    static final int MAX_COUNT = 4096;

    /** A request that does not follow the framing; nothing of it is run. */
    static final class MalformedRequestException extends IOException {
        MalformedRequestException(String message) {
            super(message);
        }
    }

    static ResidentRequest read(InputStream request) throws IOException {
        Fields in = new Fields(request);
        String home = in.next();
        String cwd = in.next();
        if (!cwd.startsWith("/")) {
            throw new MalformedRequestException("working directory '" + cwd + "' is not absolute");
        }
        int variables = count(in);
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < variables; i++) {
            String entry = in.next();
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new MalformedRequestException("environment entry without a name: '" + entry + "'");
            }
            env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        int arguments = count(in);
        List<String> args = new ArrayList<>(arguments);
        for (int i = 0; i < arguments; i++) {
            args.add(in.next());
        }
        return new ResidentRequest(home, cwd, Map.copyOf(env), List.copyOf(args));
    }

    private static int count(Fields in) throws IOException {
        String text = in.next();
        try {
            int n = Integer.parseInt(text);
            if (n >= 0 && n <= MAX_COUNT) {
                return n;
            }
        } catch (NumberFormatException notANumber) {
            // the message below
        }
        throw new MalformedRequestException("count '" + text + "' is not a number from 0 to " + MAX_COUNT);
    }

    /** The NUL-terminated fields of a request, at most {@link #MAX_REQUEST} bytes in all. */
    private static final class Fields {
        private final InputStream in;
        private int left = MAX_REQUEST;

        Fields(InputStream in) {
            this.in = in;
        }

        String next() throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int b = in.read(); b != 0; b = in.read()) {
                if (b < 0) {
                    throw new MalformedRequestException("request ended inside a field");
                }
                if (--left < 0) {
                    throw new MalformedRequestException("request longer than " + MAX_REQUEST + " bytes");
                }
                bytes.write(b);
            }
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
