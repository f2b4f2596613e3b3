package org.cvmfs.suite.conveyor.worker.payload;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import org.cvmfs.suite.conveyor.worker.failure.JobFailure;
import org.cvmfs.suite.protocol.conveyor.JobPayload;
import org.cvmfs.suite.protocol.conveyor.MalformedJobException;
import org.cvmfs.suite.protocol.http.HttpClients;

/**
 * Downloads a job's payload script into {@code temp_dir} before any lease is taken (upstream
 * downloads while holding it). Unlike upstream (spec 5.2): only {@code http}/{@code https}, the
 * HTTP status must be 200, the local path may not leave {@code temp_dir}, and checksums can be
 * required. On disk: the body goes to a hidden sibling and is verified there, then renamed over
 * the target, so a script file under its own name is always complete and verified (or, without
 * a checksum, completely downloaded); an interrupted download leaves only a sibling that the next
 * download of the same URL overwrites.
 */
public final class PayloadFetcher {
    public static final Duration DOWNLOAD_TIMEOUT = Duration.ofSeconds(30);

    private final Path tempDir;
    private final boolean requireChecksum;
    private final HttpClient http;

    public PayloadFetcher(Path tempDir, boolean requireChecksum) {
        this.tempDir = tempDir;
        this.requireChecksum = requireChecksum;
        this.http = HttpClients.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** The verified, executable script of {@code payload}; {@link JobFailure} says why not. */
    public Path fetch(JobPayload payload) throws InterruptedException {
        URI url;
        Path target;
        try {
            url = URI.create(payload.url());
            target = payload.localTarget(tempDir);
        } catch (MalformedJobException | IllegalArgumentException e) {
            throw new JobFailure("could not download payload: " + e.getMessage(), false, e);
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new JobFailure("could not download payload: only http and https URLs are fetched, not '"
                    + payload.url() + "'", false);
        }
        if (payload.checksum().isEmpty() && requireChecksum) {
            throw new JobFailure("could not download payload: the payload URL carries no checksum and "
                    + "require_checksum is set", false);
        }
        try {
            Files.createDirectories(target.getParent());
            if (payload.checksum().isPresent() && Files.isRegularFile(target)
                    && digest(target, payload.checksum().get()).equals(payload.checksum().get().hex())) {
                return target;
            }
            Path partial = target.resolveSibling("." + target.getFileName() + ".download");
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(url).timeout(DOWNLOAD_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new JobFailure("could not download payload: " + payload.url() + " answered HTTP "
                            + response.statusCode(), response.statusCode() >= 500 || response.statusCode() == 429);
                }
                Files.copy(body, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            if (payload.checksum().isPresent()) {
                JobPayload.Checksum expected = payload.checksum().get();
                String found = digest(partial, expected);
                if (!found.equals(expected.hex())) {
                    Files.deleteIfExists(partial);
                    throw new JobFailure("destination file failed integrity check: hash mismatch - expected: ["
                            + expected.hex() + "], found: [" + found + "]", false);
                }
            }
            Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new JobFailure("could not download payload " + payload.url() + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), true, e);
        }
    }

    static String digest(Path file, JobPayload.Checksum checksum) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(checksum.digestName());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
