package org.cvmfs.suite.server;

import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.server.cli.ServerCommand;

/**
 * Readies, on a second core, the libraries a publisher command is about to need, while the main
 * thread builds the command line and reads the configuration. A {@code cvmfs_server transaction}
 * spent some 70 ms of its 0.4 s on its first gateway reply and request (Jackson's first mapper:
 * CLDR calendar data and a deserializer built by reflection; the HMAC provider; the HTTP
 * connection classes), all of it cold code that does not depend on the command's arguments
 * (issue 11, measured side by side). Only class initialisation and throw-away objects: no
 * connection, no file, nothing the command could observe, so a failure here is ignored and
 * the command pays the cost itself.
 */
final class PublisherWarmUp {
    /** The {@code cvmfs_server} commands that talk to a gateway. */
    private static final Set<String> COMMANDS = Set.of("transaction", "publish", "abort");

    private PublisherWarmUp() {
    }

    /** Starts the warm-up if {@code args} ({@code cvmfs_server COMMAND ...}) names a publisher command. */
    static Optional<Thread> startFor(String... args) {
        if (args.length < 2 || !args[0].equals(ServerCommand.NAME) || !COMMANDS.contains(Main.serverCommandOf(args))) {
            return Optional.empty();
        }
        Thread t = new Thread(PublisherWarmUp::run, "warm-up");
        t.setDaemon(true);
        t.start();
        return Optional.of(t);
    }

    private static void run() {
        try {
            GatewayReply.parse("{\"status\":\"ok\",\"session_token\":\"t\"}".getBytes(StandardCharsets.US_ASCII));
            Mac.getInstance("HmacSHA1");
            // a connection object only: nothing is connected before getOutputStream or getResponseCode
            HttpURLConnection c = (HttpURLConnection) URI.create("http://localhost/").toURL().openConnection();
            c.setRequestMethod("POST");
            c.setFixedLengthStreamingMode(0);
        } catch (Exception | LinkageError ignored) {
            // the command initialises what it needs itself
        }
    }
}
