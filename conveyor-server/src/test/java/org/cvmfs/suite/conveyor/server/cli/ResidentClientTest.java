package org.cvmfs.suite.conveyor.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cvmfs.suite.protocol.resident.Invocation;
import org.cvmfs.suite.protocol.resident.ResidentServer;
import org.cvmfs.suite.protocol.testing.Await;
import org.cvmfs.suite.protocol.testing.JavaProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resident client in this JVM against a {@link StandInConveyorServer}: a command runs only
 * for the token of the state file, a malformed request is answered and the next one served, two
 * callers are served at once, the output and exit code are those of the same command line run
 * in-process, the state file is the user's alone and goes away at idle exit, and a second
 * resident client for the same state file gives way.
 */
class ResidentClientTest {
    static final String HOME = "/suite/home";

    @TempDir Path dir;
    StandInConveyorServer server;
    Path stateFile;
    ResidentServer client;

    @BeforeEach
    void start() throws IOException {
        server = new StandInConveyorServer();
        server.writeConfig(dir.resolve("conf.toml"));
        stateFile = dir.resolve("run/resident/conveyor-1.state");
        client = ResidentClient.start(stateFile, HOME, Duration.ofMinutes(5)).orElseThrow();
    }

    @AfterEach
    void stop() throws InterruptedException {
        client.close();
        client.awaitClosed();
        server.close();
    }

    private ResidentCall call(String... args) throws IOException {
        return ResidentCall.send(client.port(), client.token(), HOME, dir.toString(), Map.of(), List.of(args));
    }

    /** The same command line in this JVM, its working directory {@link #dir}. */
    private ResidentCall inProcess(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ConveyorCli.run(new Invocation(new PrintStream(out, false, StandardCharsets.UTF_8),
                new PrintStream(err, false, StandardCharsets.UTF_8), InputStream.nullInputStream(), name -> null, dir), args);
        return new ResidentCall(true, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), rc, null);
    }

    @Test
    void theStateFileIsTheUsersAlone() throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stateFile)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stateFile.getParent())));
        String[] fields = Files.readString(stateFile).trim().split(" ");
        assertEquals(List.of(Integer.toString(client.port()), client.token(), Long.toString(ProcessHandle.current().pid())),
                List.of(fields[0], fields[1], fields[2]));
        assertEquals(64, client.token().length(), "32 random bytes in hex");
        // the launcher compares the last field with its shell's umask before it connects
        assertEquals(5, fields.length);
        assertTrue(fields[4].matches("0[0-7]{3}"), fields[4]);
        assertTrue(Files.readString(Path.of("/proc/self/status")).contains("Umask:\t" + fields[4] + "\n"), fields[4]);
    }

    @Test
    void theGarbageOfCommandsIsCollectedOnceTheyAreOver() throws Exception {
        long before = collections();
        call("check", "-c", "conf.toml", "--ids", "00000000-0000-0000-0000-000000000000");
        Await.until(() -> collections() > before, Duration.ofSeconds(30), () -> "a collection after the command");
    }

    /** Full collections so far in this JVM (G1's or the serial collector's old generation), which only System.gc() asks for here. */
    private static long collections() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .filter(c -> c.getName().contains("Old") || c.getName().contains("MarkSweep"))
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    @Test
    void aStateDirectoryOpenToOthersIsRefused() throws IOException {
        Path open = Files.createDirectories(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        IOException refused = assertThrows(IOException.class, () -> ResidentClient.start(open.resolve("c.state"), HOME, Duration.ofMinutes(5)));
        assertTrue(refused.getMessage().contains("is not of mode 0700"), refused.getMessage());
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(open)), "left as it was");
    }

    @Test
    void aWrongTokenRunsNothing() throws IOException {
        ResidentCall wrong = ResidentCall.send(client.port(), "0".repeat(64), HOME, dir.toString(), Map.of(),
                List.of("submit", "-c", "conf.toml", "-r", "a.test"));
        assertEquals("wrong token", wrong.refused());
        assertFalse(wrong.started());
        ResidentCall none = ResidentCall.raw(client.port(), "no newline at all".getBytes(StandardCharsets.UTF_8));
        assertEquals("wrong token", none.refused());
        assertEquals(0, server.requests(), "no job was posted");
    }

    @Test
    void aMalformedRequestIsAnsweredAndTheNextOneServed() throws IOException {
        ResidentCall relative = ResidentCall.raw(client.port(),
                (client.token() + "\n" + HOME + "\0relative/dir\0" + "0\0" + "0\0").getBytes(StandardCharsets.UTF_8));
        assertTrue(relative.refused().startsWith("malformed request: working directory"), relative.refused());
        ResidentCall badCount = ResidentCall.raw(client.port(),
                (client.token() + "\n" + HOME + "\0/\0" + "many\0").getBytes(StandardCharsets.UTF_8));
        assertTrue(badCount.refused().contains("count 'many'"), badCount.refused());
        ResidentCall cut = ResidentCall.raw(client.port(), (client.token() + "\n" + HOME + "\0/\0" + "1\0")
                .getBytes(StandardCharsets.UTF_8));
        assertTrue(cut.refused().contains("ended inside a field"), cut.refused());
        ResidentCall otherSuite = ResidentCall.send(client.port(), client.token(), "/another/suite", dir.toString(), Map.of(),
                List.of("submit", "-c", "conf.toml", "-r", "a.test"));
        assertTrue(otherSuite.refused().startsWith("this resident JVM serves the suite in"), otherSuite.refused());
        assertEquals(0, server.requests());

        ResidentCall ok = call("submit", "-c", "conf.toml", "-r", "a.test");
        assertEquals(0, ok.exit(), ok.stderr());
        assertTrue(ok.stdout().contains(StandInConveyorServer.JOB_ID), ok.stdout());
    }

    @Test
    void theOutputIsThatOfTheSameCommandInProcess() throws IOException {
        List<List<String>> commands = List.of(
                List.of("submit", "-c", "conf.toml", "-r", "a.test", "-l", "ünï/côdé"),
                List.of("submit", "-c", "conf.toml", "-r", StandInConveyorServer.REFUSED_REPOSITORY),
                List.of("submit", "-c", "conf.toml", "--no-such-flag"),
                List.of("submit", "-c", "conf.toml"),
                List.of("submit", "-c", "missing.toml", "-r", "a.test"),
                List.of("check", "-c", "conf.toml", "-i", StandInConveyorServer.JOB_ID),
                List.of("--version"));
        for (List<String> command : commands) {
            String[] args = command.toArray(String[]::new);
            ResidentCall expected = inProcess(args);
            ResidentCall resident = call(args);
            assertTrue(resident.started(), command.toString());
            assertEquals(expected, resident, command.toString());
        }
        ResidentCall badFlag = call("submit", "-c", "conf.toml", "--no-such-flag");
        assertEquals(1, badFlag.exit());
        assertTrue(badFlag.stderr().startsWith("Error: Unknown option: '--no-such-flag'") && badFlag.stderr().contains("Usage: conveyor submit"),
                badFlag.stderr());
        ResidentCall refused = call("submit", "-c", "conf.toml", "-r", StandInConveyorServer.REFUSED_REPOSITORY);
        assertEquals(1, refused.exit());
        assertTrue(refused.stdout().contains("repository is refused by the stand-in"), refused.stdout());
    }

    @Test
    void theCallersEnvironmentAndNotTheResidentClientsIsRead() throws IOException {
        Files.writeString(dir.resolve("no-key.toml"), Files.readString(dir.resolve("conf.toml")).replace("shared_key = \"stand-in\"\n", ""));
        ResidentCall withoutKey = call("submit", "-c", "no-key.toml", "-r", "a.test");
        assertEquals(1, withoutKey.exit());
        assertTrue(withoutKey.stderr().contains("shared API key is unset"), withoutKey.stderr());
        ResidentCall withKey = ResidentCall.send(client.port(), client.token(), HOME, dir.toString(),
                Map.of("CONVEYOR_SHARED_KEY", "from-the-caller"), List.of("submit", "-c", "no-key.toml", "-r", "a.test"));
        assertEquals(0, withKey.exit(), withKey.stderr());
    }

    @Test
    void standardInputIsNotReadButRefusedClearly() throws IOException {
        ResidentCall batch = call("submit", "-c", "conf.toml", "--batch", "-");
        assertEquals(1, batch.exit());
        assertTrue(batch.stderr().contains("standard input is not forwarded"), batch.stderr());
        assertEquals(0, server.requests());
    }

    @Test
    void aCallerThatHangsUpEndsItsWait() throws Exception {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes((client.token() + "\n" + HOME + "\0" + dir + "\0" + "0\0" + "6\0"
                + "submit\0-c\0conf.toml\0-r\0a.test\0--wait\0").getBytes(StandardCharsets.UTF_8));
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), client.port())) {
            socket.getOutputStream().write(request.toByteArray());
            BufferedReader frames = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("s", frames.readLine());
            assertTrue(frames.readLine().contains("job submitted successfully"));
            assertEquals(1, client.activeRequests(), "waiting for the job (the stand-in knows none: until job_wait_timeout, 120 s)");
        }
        long end = System.currentTimeMillis() + 20_000;
        while (client.activeRequests() > 0 && System.currentTimeMillis() < end) {
            Thread.sleep(50);
        }
        assertEquals(0, client.activeRequests(), "the wait ended with its caller");
    }

    @Test
    void silentConnectionsBeyondTheBoundAreClosedAndCallsServedAfterThem() throws Exception {
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < ResidentServer.MAX_CONNECTIONS; i++) {
                silent.add(new Socket(InetAddress.getLoopbackAddress(), client.port()));
            }
            long end = System.currentTimeMillis() + 10_000;
            while (client.activeRequests() < ResidentServer.MAX_CONNECTIONS && System.currentTimeMillis() < end) {
                Thread.sleep(20);
            }
            try (Socket oneMore = new Socket(InetAddress.getLoopbackAddress(), client.port())) {
                oneMore.setSoTimeout(5_000);
                assertEquals(-1, oneMore.getInputStream().read(), "closed unanswered, before the token timeout");
            }
        } finally {
            for (Socket s : silent) {
                s.close();
            }
        }
        ResidentCall ok = call("check", "-c", "conf.toml", "-i", StandInConveyorServer.JOB_ID);
        assertEquals(0, ok.exit(), ok.stderr());
    }

    @Test
    void twoCallersAreServedAtOnce() throws Exception {
        CyclicBarrier bothInside = new CyclicBarrier(2);
        server.holdNewJobs(() -> {
            try {
                bothInside.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                throw new IllegalStateException("the two submits were not served at the same time", e);
            }
        });
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            List<Future<ResidentCall>> calls = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                calls.add(callers.submit(() -> call("submit", "-c", "conf.toml", "-r", "a.test")));
            }
            for (Future<ResidentCall> c : calls) {
                ResidentCall r = c.get(60, TimeUnit.SECONDS);
                assertEquals(0, r.exit(), r.stderr());
                assertTrue(r.stdout().contains(StandInConveyorServer.JOB_ID), r.stdout());
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void anIdleResidentClientExitsAndRemovesItsStateFile() throws Exception {
        Path idleState = dir.resolve("run/resident/conveyor-idle.state");
        ResidentServer idle = ResidentClient.start(idleState, HOME, Duration.ofMillis(300)).orElseThrow();
        assertTrue(Files.exists(idleState));
        Thread waiter = new Thread(() -> {
            try {
                idle.awaitClosed();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiter.start();
        waiter.join(10_000);
        assertFalse(waiter.isAlive(), "idle exit within 10 s");
        assertFalse(Files.exists(idleState), "state file removed");
    }

    @Test
    void aSecondResidentClientForTheSameStateFileGivesWay() throws Exception {
        assertEquals(Optional.empty(), ResidentClient.start(stateFile, HOME, Duration.ofMinutes(5)));
        Process second = new ProcessBuilder(JavaProcess.mainClass(ResidentClient.class, List.of(stateFile.toString(), HOME)))
                .redirectErrorStream(true).start();
        try {
            assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the second one exits at once");
            assertEquals(ResidentServer.ALREADY_RUNNING, second.exitValue());
        } finally {
            second.destroyForcibly();
        }
        ResidentCall stillServed = call("check", "-c", "conf.toml", "-i", StandInConveyorServer.JOB_ID);
        assertEquals(0, stillServed.exit(), stillServed.stderr());
        assertNull(stillServed.refused());
    }
}
