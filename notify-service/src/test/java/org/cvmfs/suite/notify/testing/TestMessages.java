package org.cvmfs.suite.notify.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.cvmfs.suite.protocol.notify.ActivityMessage;
import org.cvmfs.suite.protocol.testing.Fixtures;

/** Activity messages for tests: synthetic manifests, and the signed ones of the fixtures. */
public final class TestMessages {
    private static final ZonedDateTime WHEN = ZonedDateTime.of(2019, 9, 19, 13, 14, 15, 0, ZoneOffset.UTC);

    private TestMessages() {
    }

    /** A manifest of {@code repository} at {@code revision}, with a signature block nobody checks. */
    public static byte[] manifest(String repository, long revision) {
        String body = "C0123456789abcdef0123456789abcdef01234567\nB57344\nRd41d8cd98f00b204e9800998ecf8427e\nD240\nS"
                + revision + "\nGno\nAno\nN" + repository + "\n--\n0123456789abcdef0123456789abcdef01234567\n";
        byte[] head = body.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + 4];
        System.arraycopy(head, 0, out, 0, head.length);
        out[head.length] = (byte) 0x81; // the signature is binary
        out[head.length + 1] = '\n';
        out[head.length + 2] = 0;
        out[head.length + 3] = (byte) 0xff;
        return out;
    }

    public static ActivityMessage message(String repository, long revision) {
        return ActivityMessage.of(repository, manifest(repository, revision), WHEN);
    }

    public static byte[] json(String repository, long revision) {
        return message(repository, revision).toJson();
    }

    /** The signed manifest of {@code capture.test} after fixture step {@code state} (before, after-a, after-b). */
    public static byte[] fixtureManifest(String state) {
        try {
            return Files.readAllBytes(Fixtures.gatewayPublication().resolve(state).resolve(".cvmfspublished"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
