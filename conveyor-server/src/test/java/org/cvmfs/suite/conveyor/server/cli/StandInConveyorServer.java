package org.cvmfs.suite.conveyor.server.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.cvmfs.suite.protocol.conveyor.ConveyorClient;

/**
 * A stand-in Conveyor server on a loopback port, as {@code ConveyorCli}'s training run uses one:
 * it accepts every new job with one fixed id (so that two runs print the same bytes), refuses a
 * job whose request names the repository {@value #REFUSED_REPOSITORY}, knows no job otherwise,
 * (a {@code --wait} polls it until {@code job_wait_timeout}, 120 s), and counts the requests it saw. {@link #holdNewJobs} makes each new job wait on a hook first.
 */
final class StandInConveyorServer implements AutoCloseable {
    static final String JOB_ID = "11111111-2222-3333-4444-555555555555";
    static final String REFUSED_REPOSITORY = "refused.test";

    private final HttpServer http;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Runnable holdNewJobs = () -> { };

    StandInConveyorServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.setExecutor(threads);
        http.createContext("/", exchange -> {
            requests.incrementAndGet();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            boolean newJob = exchange.getRequestURI().getPath().endsWith(ConveyorClient.NEW_JOB);
            if (newJob) {
                holdNewJobs.run();
            }
            byte[] reply = (!newJob ? "{\"Status\":\"ok\",\"Jobs\":[]}"
                    : body.contains(REFUSED_REPOSITORY) ? "{\"Status\":\"error\",\"Reason\":\"repository is refused by the stand-in\"}"
                    : "{\"Status\":\"ok\",\"ID\":\"" + JOB_ID + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        http.start();
    }

    /** Run before every new job is answered (e.g. a barrier that shows two are served at once). */
    void holdNewJobs(Runnable hook) {
        holdNewJobs = hook;
    }

    int requests() {
        return requests.get();
    }

    /** A client {@code config.toml} naming this server, written to {@code file}. */
    Path writeConfig(Path file) throws IOException {
        return Files.writeString(file, "shared_key = \"stand-in\"\njob_wait_timeout = 120\n[queue]\nusername = \"u\"\n"
                + "password = \"p\"\nhost = \"127.0.0.1\"\n[server]\nhost = \"127.0.0.1\"\nport = " + http.getAddress().getPort() + "\n");
    }

    @Override
    public void close() {
        http.stop(0);
        threads.shutdownNow();
    }
}
