package org.cvmfs.suite.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import picocli.CommandLine;

/**
 * The run that lists the classes of the launcher's class-data-sharing archive
 * ({@code Main --class-data-sharing-training DIR}): the commands of a repository's life on
 * throw-away hosts below {@code DIR}. A Stratum 0 made with {@code mkfs}
 * ({@code check}, {@code ls}, {@code cat}, {@code list-catalogs}); then a publisher host set up
 * against it with {@code mkfs -u gw,...}, whose {@code transaction} and {@code abort -f} reach a
 * stand-in gateway on loopback that refuses every lease. The publisher commands load the HTTP
 * client, JSON and gateway classes that a Stratum-0 command never does; without them in the
 * archive a {@code transaction} parsed and verified some 1,100 classes more on every run (issue
 * 11). Nothing is mounted (the transaction ends at the refused lease), and both hosts are removed
 * at the end.
 */
final class ClassDataSharingTraining {
    private static final String REPO = "training.cvmfs-suite.invalid";
    private static final byte[] REFUSAL = "{\"status\":\"error\",\"reason\":\"class-data-sharing training\"}"
            .getBytes(StandardCharsets.UTF_8);

    private ClassDataSharingTraining() {
    }

    static void run(Path scratch) throws IOException {
        Path hosts = Files.createTempDirectory(Files.createDirectories(scratch), "training.");
        try {
            Path stratum0 = hosts.resolve("stratum0");
            Path publisher = hosts.resolve("publisher");
            for (List<String> command : List.of(List.of("mkfs", REPO), List.of("check", REPO),
                    List.of("ls", REPO, "/"), List.of("cat", REPO, "new_repository"), List.of("list-catalogs", REPO))) {
                server(stratum0, command);
            }
            Path keys = stratum0.resolve("etc/cvmfs/keys");
            Files.writeString(keys.resolve(REPO + ".gw"), "plain_text training training\n");
            HttpServer gateway = standIn(stratum0.resolve("srv/cvmfs"));
            try {
                String url = "http://127.0.0.1:" + gateway.getAddress().getPort();
                server(publisher, List.of("mkfs", "-k", keys.toString(),
                        "-u", "gw," + publisher.resolve("var/spool/cvmfs/" + REPO + "/tmp") + "/," + url + "/api/v1",
                        "-w", url + "/cvmfs/" + REPO, REPO));
                server(publisher, List.of("transaction", REPO));
                server(publisher, List.of("abort", "-f", REPO));
            } finally {
                gateway.stop(0);
            }
        } finally {
            DirectoryTree.delete(hosts);
        }
    }

    /** Runs {@code cvmfs_server --prefix HOST COMMAND...}, its output discarded and its exit code ignored. */
    private static void server(Path host, List<String> command) {
        List<String> words = new ArrayList<>(List.of("cvmfs_server", "--prefix", host.toString()));
        words.addAll(command);
        String[] args = words.toArray(String[]::new);
        CommandLine cli = Main.commandLine(args);
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(new StringWriter()));
        cli.execute(args);
    }

    /** Serves {@code /cvmfs/REPO/...} from the Stratum 0's storage and refuses everything below {@code /api/v1}. */
    private static HttpServer standIn(Path storage) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/", exchange -> reply(exchange, 200, REFUSAL));
        server.createContext("/cvmfs/", exchange -> {
            Path file = storage.resolve(exchange.getRequestURI().getPath().substring("/cvmfs/".length())).normalize();
            if (file.startsWith(storage) && Files.isRegularFile(file)) {
                reply(exchange, 200, Files.readAllBytes(file));
            } else {
                reply(exchange, 404, new byte[0]);
            }
        });
        server.start();
        return server;
    }

    private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
        try (exchange; OutputStream out = exchange.getResponseBody()) {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            out.write(body);
        }
    }
}
