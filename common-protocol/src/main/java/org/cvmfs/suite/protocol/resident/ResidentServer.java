package org.cvmfs.suite.protocol.resident;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A tool's resident JVM (issues 8 and 11): CI scripts run {@code conveyor submit} once per job and
 * {@code cvmfs_server transaction} + {@code publish} once per change, and a JVM per call costs
 * 0.2-0.5 s before any work, where upstream's Go binary and shell script take milliseconds. Like
 * Gradle's daemon, one JVM per user, tool and suite build stays up and runs the tool's
 * {@link Commands} — the same command code as the tool's own JVM, given the caller's working
 * directory, environment and arguments through an {@link Invocation} — and the launcher
 * ({@code deploy/lib/suite-launcher.sh}, {@code run_suite_resident}) talks to it with bash's
 * {@code /dev/tcp}, starting no process at all.
 *
 * <p>Invariant: a command runs only for a peer that presented the token of the state file, and
 * at most once: the reply's {@link FramedReply#STARTED} frame tells the caller that from here on
 * it must not run the command itself. Trust: the socket is bound to 127.0.0.1 only and the
 * 32-byte random token lives in a file of mode 0600 in a directory of mode 0700 of the user, so
 * only that user (and root) can read it; tokens are compared in constant time. One resident
 * JVM per state file (the launcher names one per tool and suite home): a second one that cannot
 * lock {@code STATE.lock} exits at once. The state file ({@code PORT TOKEN PID BUILD UMASK},
 * written to a temporary name and renamed after binding) is removed on exit; the launcher uses it
 * only from the same namespaces as {@code PID} and with the same umask, since files the command
 * creates and mounts it makes are the resident JVM's. A rebuilt class path
 * ({@link BuildFingerprint}) is refused and ends it. It exits after the idle time without a
 * request. It has no standard input to give: the launcher sends a command that reads it to a JVM
 * of its own. A caller that hangs up (Ctrl-C, killed) interrupts its command, as a signal would
 * end the command's own JVM.
 *
 * <p>Each tool's main class calls {@link #serve} with {@code STATE_FILE SUITE_HOME}.
 */
public final class ResidentServer implements AutoCloseable {
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(900);
    /** Quiet time after a command before its garbage is collected (see {@link #watchIdle}). */
    static final Duration SETTLE = Duration.ofSeconds(2);
    /** Bound on reading a request, so that a silent peer does not hold a thread. */
    static final int REQUEST_TIMEOUT_MS = 10_000;
    /** Connections served at once; more are closed unanswered, so a flood of them cannot exhaust threads. */
    public static final int MAX_CONNECTIONS = 64;
    /** Exit code of a second resident JVM for the same state file. */
    public static final int ALREADY_RUNNING = 3;

    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    /** One command line of the tool, run for a caller: its exit code. */
    @FunctionalInterface
    public interface Commands {
        int run(Invocation invocation, String... args);
    }

    /**
     * The tool a resident JVM serves: its name (in messages and thread names), the environment
     * variable of its idle time in seconds, the setting that runs it without a resident JVM (in
     * messages) and its commands.
     */
    public record Tool(String name, String idleVariable, String offSwitch, Commands commands) {
        /** The idle time {@code env} sets, else {@link #DEFAULT_IDLE}. */
        Duration idle(Function<String, String> env) {
            String idle = env.apply(idleVariable);
            return idle == null || idle.isBlank() ? DEFAULT_IDLE : Duration.ofSeconds(Long.parseLong(idle.trim()));
        }
    }

    /** The lock files this JVM holds (one in production; tests start several). */
    private static final Set<Path> LOCKED_HERE = ConcurrentHashMap.newKeySet();

    private final Tool tool;
    private final InputStream noStdin;
    private final Path stateFile;
    private final String suiteHome;
    private final Duration idle;
    private final FileChannel lockChannel;
    private final Path lockFile;
    private final ServerSocket server;
    private final byte[] token;
    private final BuildFingerprint build = BuildFingerprint.ofThisJvm();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong lastRequest = new AtomicLong(System.nanoTime());
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicBoolean commandsSinceCollection = new AtomicBoolean();

    private ResidentServer(Tool tool, Path stateFile, String suiteHome, Duration idle, FileChannel lockChannel, Path lockFile)
            throws IOException {
        this.tool = tool;
        this.stateFile = stateFile;
        this.lockFile = lockFile;
        this.suiteHome = suiteHome;
        this.idle = idle;
        this.lockChannel = lockChannel;
        this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.token = HexFormat.of().formatHex(secret).getBytes(StandardCharsets.US_ASCII);
        this.noStdin = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("standard input is not forwarded to the resident " + tool.name() + "; run with " + tool.offSwitch());
            }
        };
    }

    /**
     * The main of a tool's resident JVM, {@code args} being {@code STATE_FILE SUITE_HOME}: serves
     * until idle, killed or the suite is rebuilt, then exits; exits with {@link #ALREADY_RUNNING}
     * when another one serves the state file.
     */
    public static void serve(Tool tool, String[] args) throws Exception {
        if (args.length != 2 || !args[0].startsWith("/") || !args[0].endsWith(".state")) {
            System.err.println("usage: " + tool.name() + "'s resident JVM /PATH/NAME.state SUITE_HOME");
            System.exit(2);
        }
        Optional<ResidentServer> resident = start(tool, Path.of(args[0]), args[1], tool.idle(System::getenv));
        if (resident.isEmpty()) {
            System.err.println(tool.name() + ": a resident JVM for " + args[0] + " is running already");
            System.exit(ALREADY_RUNNING);
        }
        // kill (SIGTERM) removes the state file too
        Runtime.getRuntime().addShutdownHook(new Thread(resident.get()::close, tool.name() + "-resident-exit"));
        resident.get().awaitClosed();
        System.exit(0);
    }

    /**
     * Locks, binds and publishes the state file, then serves until idle or closed; empty when
     * another resident JVM holds the lock of {@code stateFile}.
     */
    public static Optional<ResidentServer> start(Tool tool, Path stateFile, String suiteHome, Duration idle) throws IOException {
        Path dir = ownerOnlyDirectory(stateFile.toAbsolutePath().getParent());
        Path lockFile = dir.resolve(stateFile.getFileName() + ".lock");
        // a second channel on the lock file must not even be opened here: closing it would drop this JVM's lock
        if (!LOCKED_HERE.add(lockFile)) {
            return Optional.empty();
        }
        FileChannel lockChannel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                OWNER_ONLY_FILE);
        FileLock lock = lockChannel.tryLock();
        if (lock == null) {
            lockChannel.close();
            LOCKED_HERE.remove(lockFile);
            return Optional.empty();
        }
        ResidentServer resident = new ResidentServer(tool, stateFile, suiteHome, idle, lockChannel, lockFile);
        resident.publish();
        Thread acceptor = new Thread(resident::acceptLoop, tool.name() + "-resident-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        Thread watch = new Thread(resident::watchIdle, tool.name() + "-resident-idle");
        watch.setDaemon(true);
        watch.start();
        return Optional.of(resident);
    }

    /** The per-user directory of the state file, mode 0700: created so, or refused if it is another user's or open to others. */
    private static Path ownerOnlyDirectory(Path dir) throws IOException {
        Files.createDirectories(dir.getParent());
        if (!Files.isDirectory(dir)) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
        }
        if (!Files.getAttribute(dir, "unix:uid").equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
            throw new IOException(dir + " belongs to another user");
        }
        if (!Files.getPosixFilePermissions(dir).equals(OWNER_ONLY_DIR)) {
            throw new IOException(dir + " is not of mode 0700");
        }
        return dir;
    }

    private void publish() throws IOException {
        Path dir = stateFile.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + stateFile.getFileName(), ".tmp", OWNER_ONLY_FILE);
        Files.writeString(tmp, server.getLocalPort() + " " + new String(token, StandardCharsets.US_ASCII) + " "
                + ProcessHandle.current().pid() + " " + build.digest() + " " + umask() + "\n");
        Files.move(tmp, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(starting());
    }

    /** This process's umask as bash's {@code umask} prints it (four octal digits), from {@code /proc/self/status}. */
    static String umask() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
            if (line.startsWith("Umask:")) {
                return line.substring("Umask:".length()).trim();
            }
        }
        throw new IOException("/proc/self/status tells no umask");
    }

    /** The directory the launcher makes while it starts a resident JVM, so that concurrent calls start one. */
    private Path starting() {
        return stateFile.resolveSibling(stateFile.getFileName() + ".starting");
    }

    public int port() {
        return server.getLocalPort();
    }

    public String token() {
        return new String(token, StandardCharsets.US_ASCII);
    }

    /** Waits for the end, then for the commands still running. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
        while (active.get() > 0) {
            Thread.sleep(20);
        }
    }

    /** Stops taking requests: the state file first, so that no launcher connects to a closing socket. */
    @Override
    public synchronized void close() {
        if (closed.getCount() == 0) {
            return;
        }
        try {
            Files.deleteIfExists(stateFile);
            Files.deleteIfExists(starting());
            server.close();
            lockChannel.close();
            LOCKED_HERE.remove(lockFile);
        } catch (IOException e) {
            System.err.println(tool.name() + ": closing the resident JVM: " + e.getMessage());
        } finally {
            closed.countDown();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException closing) {
                break;
            }
            if (active.incrementAndGet() > MAX_CONNECTIONS) {
                active.decrementAndGet();
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // refused either way
                }
                continue;
            }
            lastRequest.set(System.nanoTime());
            Thread t = new Thread(() -> answer(socket), tool.name() + "-resident-request");
            t.setDaemon(true);
            t.start();
        }
        close();
    }

    /**
     * Closes the resident JVM once idle; and once no command has run for {@link #SETTLE}, collects
     * the garbage the last ones left, so that the heap a big publication grew is given back
     * between commands (the launchers' serial collector shrinks the heap only after a full
     * collection) rather than held until the idle exit.
     */
    private void watchIdle() {
        long idleNanos = idle.toNanos();
        while (closed.getCount() > 0) {
            long quiet = System.nanoTime() - lastRequest.get();
            if (active.get() == 0 && quiet >= idleNanos) {
                close();
                return;
            }
            if (active.get() == 0 && quiet >= SETTLE.toNanos() && commandsSinceCollection.getAndSet(false)) {
                System.gc();
            }
            try {
                Thread.sleep(Math.max(10, Math.min(1000, idle.toMillis() / 4)));
            } catch (InterruptedException stop) {
                return;
            }
        }
    }

    private void answer(Socket socket) {
        try (socket) {
            socket.setSoTimeout(REQUEST_TIMEOUT_MS);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream sink = new BufferedOutputStream(socket.getOutputStream());
            FramedReply reply = new FramedReply(sink);
            if (!MessageDigest.isEqual(tokenLine(in), token)) {
                reply.refuse("wrong token");
                return;
            }
            ResidentRequest request;
            try {
                request = ResidentRequest.read(in);
            } catch (ResidentRequest.MalformedRequestException e) {
                reply.refuse("malformed request: " + e.getMessage());
                return;
            }
            if (!request.suiteHome().equals(suiteHome)) {
                reply.refuse("this resident JVM serves the suite in " + suiteHome);
                return;
            }
            if (!build.unchanged()) {
                reply.refuse("the suite was rebuilt since this resident JVM started");
                close();
                return;
            }
            socket.setSoTimeout(0);
            reply.started();
            PrintStream out = reply.stdout();
            PrintStream err = reply.stderr();
            AtomicBoolean done = new AtomicBoolean();
            watchHangUp(in, Thread.currentThread(), done);
            int rc;
            try {
                rc = tool.commands().run(new Invocation(out, err, noStdin, request.environment()::get,
                        Path.of(request.workingDirectory())), request.args().toArray(String[]::new));
            } catch (RuntimeException | LinkageError e) {
                err.println(tool.name() + ": the resident JVM failed: " + e);
                err.flush();
                rc = 1;
            } finally {
                done.set(true);
                Thread.interrupted();
                commandsSinceCollection.set(true);
            }
            reply.exit(rc);
        } catch (IOException callerGone) {
            // nothing to tell: the caller's launcher reports a connection that ended before its exit code
        } finally {
            lastRequest.set(System.nanoTime());
            active.decrementAndGet();
        }
    }

    /**
     * The caller sends nothing after its request and keeps the connection open while it waits,
     * so the end of its input means it is gone (Ctrl-C, killed): the command's thread is then
     * interrupted, which ends a {@code conveyor --wait} or a {@code cvmfs_server transaction -t}
     * waiting for a busy path instead of going on for nobody.
     */
    private void watchHangUp(InputStream in, Thread command, AtomicBoolean done) {
        Thread watch = new Thread(() -> {
            try {
                while (in.read() >= 0) {
                    // nothing is expected after the request; the end of the stream is what counts
                }
            } catch (IOException closed) {
                // closed by us at the end, or reset by the caller's end: the same check below
            }
            if (!done.get()) {
                command.interrupt();
            }
        }, tool.name() + "-resident-hangup");
        watch.setDaemon(true);
        watch.start();
    }

    public int activeRequests() {
        return active.get();
    }

    /** The first line: at most a token's length, so a peer that sends no newline is not buffered. */
    private byte[] tokenLine(InputStream in) throws IOException {
        byte[] line = new byte[token.length + 1];
        int n = 0;
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0 || n == line.length) {
                return new byte[0];
            }
            line[n++] = (byte) b;
        }
        return Arrays.copyOf(line, n);
    }
}
