package org.cvmfs.suite.conveyor.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.cvmfs.suite.conveyor.server.testing.ConveyorTestServer;
import org.cvmfs.suite.protocol.conveyor.ConveyorClient;
import org.cvmfs.suite.protocol.conveyor.JobQuery;
import org.cvmfs.suite.protocol.conveyor.JobRecord;
import org.cvmfs.suite.protocol.testing.JavaProcess;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code conveyor} as a separate process against the running server (no worker: jobs stay
 * queued). {@code submit --batch}: ids in the order of the lines, a malformed file submits
 * nothing, a refused line refuses its whole request (one transaction on the server) and stops
 * the batch, with every accepted id printed. Our additions: {@code cancel} and {@code check}'s
 * listing filters.
 */
@QuarkusTest
@WithTestResource(ConveyorTestServer.class)
class ConveyorCliTest {
    @TestHTTPResource("/")
    URL server;

    Path config;
    ConveyorClient client;
    String repository;

    @BeforeEach
    void configure() throws IOException {
        Path dir = ConveyorTestServer.services().dir();
        config = dir.resolve("cli-" + UUID.randomUUID() + ".toml");
        Files.writeString(config, """
                shared_key = "%s"
                job_wait_timeout = 60
                [queue]
                username = "guest"
                password = "guest"
                host = "127.0.0.1"
                [server]
                host = "%s"
                port = %d
                """.formatted(ConveyorTestServer.SHARED_KEY, server.getHost(), server.getPort()));
        client = new ConveyorClient(URI.create(server.toString().replaceAll("/$", "")), ConveyorTestServer.SHARED_KEY);
        repository = "batch-" + UUID.randomUUID().toString().substring(0, 8) + ".test";
    }

    @Test
    void idsComeOutInTheOrderOfTheLines() throws Exception {
        // more lines than one request carries (ConveyorCli.Submit.JOBS_PER_REQUEST)
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            lines.append(line("/line-" + i)).append('\n');
            if (i == 5) {
                lines.append("\n");
            }
        }
        Run run = batch(lines.toString());
        assertEquals(0, run.exit, run.stderr);
        assertEquals(60, run.stdout.size(), run.stderr);
        Map<String, String> leaseById = jobs(run.stdout).stream().collect(Collectors.toMap(JobRecord::id, JobRecord::leasePath));
        for (int i = 0; i < 60; i++) {
            assertEquals("/line-" + i, leaseById.get(run.stdout.get(i)), "id of line " + i);
        }
    }

    @Test
    void aMalformedLineSubmitsNothing() throws Exception {
        Run run = batch(line("/a") + "\n" + line("/b") + "\n{\"Repository\": \n" + line("/d") + "\n");
        assertEquals(1, run.exit);
        assertTrue(run.stderr.contains("line 3"), run.stderr);
        assertEquals(List.of(), run.stdout);
        assertEquals(0, client.list(new JobQuery(List.of(), List.of(), repository, null, null, 0, 10)).total());
    }

    @Test
    void aRefusedLineStopsTheBatchAndAcceptedIdsArePrinted() throws Exception {
        String unknownDependency = "{\"Repository\":\"" + repository + "\",\"LeasePath\":\"/x\",\"Payload\":\"\","
                + "\"Dependencies\":[\"" + UUID.randomUUID() + "\"]}";
        StringBuilder lines = new StringBuilder(line("/first") + "\n" + unknownDependency + "\n");
        for (int i = 0; i < 12; i++) {
            lines.append(line("/after-" + i)).append('\n');
        }
        Run run = batch(lines.toString());
        assertEquals(1, run.exit);
        assertTrue(run.stderr.contains("line 2: unknown job dependencies"), run.stderr);
        assertTrue(run.stderr.contains("not submitted"), run.stderr);
        assertEquals(run.stdout.size(), jobs(run.stdout).size(), "every printed id is a job");
        long submitted = client.list(new JobQuery(List.of(), List.of(), repository, null, null, 0, 100)).total();
        assertEquals(run.stdout.size(), submitted, "every job submitted is printed");
        assertEquals(0, submitted, "a request is one transaction: the line before the refused one is not submitted either");
    }

    @Test
    void cancelStopsQueuedAndWaitingJobsOnly() throws Exception {
        Run submitted = batch(line("/queued") + "\n");
        String queued = submitted.stdout.get(0);
        Run dependent = cli("submit", "-r", repository, "-l", "/waiting", "-d", queued);
        assertEquals(0, dependent.exit, dependent.stderr);
        String waiting = dependent.stdout.get(0).replaceAll(".*\"job_id\":\"([^\"]+)\".*", "$1");

        Run cancel = cli("cancel", "-i", waiting + "," + queued);
        assertEquals(0, cancel.exit, cancel.stderr);
        assertEquals(2, cancel.stdout.stream().filter(l -> l.contains("\"message\":\"job cancelled\"")).count(), cancel.stdout.toString());
        Map<String, String> states = jobs(List.of(queued, waiting)).stream().collect(Collectors.toMap(JobRecord::id, JobRecord::state));
        assertEquals(Map.of(queued, "cancelled", waiting, "cancelled"), states);

        Run again = cli("cancel", "-i", queued);
        assertEquals(1, again.exit);
        assertTrue(again.stdout.get(0).contains("cannot cancel"), again.stdout.toString());
        Run unknown = cli("cancel", "-i", UUID.randomUUID().toString());
        assertEquals(1, unknown.exit);
        assertTrue(unknown.stdout.get(0).contains("unknown job"), unknown.stdout.toString());
    }

    @Test
    void checkListsJobsByStateAndRepositoryWithPaging() throws Exception {
        Run submitted = batch(line("/l0") + "\n" + line("/l1") + "\n" + line("/l2") + "\n");
        assertEquals(0, submitted.exit, submitted.stderr);
        cli("cancel", "-i", submitted.stdout.get(1));

        Run queued = cli("check", "--repo", repository, "--state", "queued", "--limit", "1");
        assertEquals(0, queued.exit, queued.stderr);
        assertTrue(queued.stdout.get(0).contains("\"total\":2"), queued.stdout.get(0));
        assertEquals(2, queued.stdout.size(), queued.stdout.toString());
        Run next = cli("check", "--repo", repository, "--state", "queued", "--limit", "1", "--offset", "1");
        assertEquals(2, next.stdout.size(), next.stdout.toString());
        // a batch posts several lines at once, so /l0 and /l2 may be submitted in either order:
        // the two pages hold one each
        String pages = queued.stdout.get(1) + next.stdout.get(1);
        assertTrue(pages.contains("\"LeasePath\":\"/l0\"") && pages.contains("\"LeasePath\":\"/l2\""), pages);
        Run cancelled = cli("check", "--repo", repository, "--state", "cancelled,failed");
        assertTrue(cancelled.stdout.get(0).contains("\"total\":1"), cancelled.stdout.toString());
        assertTrue(cancelled.stdout.get(1).contains(submitted.stdout.get(1)), cancelled.stdout.toString());

        Run badState = cli("check", "--repo", repository, "--state", "sleeping");
        assertEquals(1, badState.exit);
        assertTrue(badState.stderr.contains("unknown job state 'sleeping'"), badState.stderr);
    }

    private String line(String leasePath) {
        return "{\"Repository\":\"" + repository + "\",\"LeasePath\":\"" + leasePath + "\",\"Payload\":\"\"}";
    }

    private List<JobRecord> jobs(List<String> ids) {
        return ids.isEmpty() ? List.of() : client.list(JobQuery.ofIds(ids)).jobs();
    }

    private record Run(int exit, List<String> stdout, String stderr) {
    }

    private Run batch(String lines) throws Exception {
        Path file = Files.writeString(config.resolveSibling("batch-" + UUID.randomUUID() + ".jsonl"), lines);
        return cli("submit", "--batch", file.toString());
    }

    private Run cli(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(args));
        command.addAll(List.of("-c", config.toString()));
        Process p = new ProcessBuilder(JavaProcess.mainClass(ConveyorCli.class, command)).start();
        p.getOutputStream().close();
        byte[] err = p.getErrorStream().readAllBytes();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "conveyor submit --batch ended");
        List<String> ids = new ArrayList<>(new String(out, StandardCharsets.UTF_8).lines().toList());
        return new Run(p.exitValue(), ids, new String(err, StandardCharsets.UTF_8));
    }
}
