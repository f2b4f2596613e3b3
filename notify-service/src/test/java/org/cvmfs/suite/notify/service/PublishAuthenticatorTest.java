package org.cvmfs.suite.notify.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cvmfs.suite.notify.config.NotifySettings.PublishAuth;
import org.cvmfs.suite.protocol.notify.PublishAuthorization;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishAuthenticatorTest {
    private static final byte[] BODY = "{\"any\":\"body\"}".getBytes();

    @TempDir
    Path keys;

    @Test
    void acceptsTheKeyOfTheRepositoryGatewayKeyFile() throws Exception {
        Files.copy(Fixtures.gatewayPublication().resolve("keys/capture.test.gw"), keys.resolve("capture.test.gw"));
        PublishAuthenticator auth = new PublishAuthenticator(PublishAuth.HMAC, keys);
        auth.check("capture.test", PublishAuthorization.header("key1", "big_secret", BODY), BODY);
        refused(auth, "capture.test", null, "no Authorization header");
        refused(auth, "capture.test", PublishAuthorization.header("key1", "wrong", BODY), "does not match");
        refused(auth, "capture.test", PublishAuthorization.header("key2", "big_secret", BODY), "unknown key id 'key2'");
        refused(auth, "other.test", PublishAuthorization.header("key1", "big_secret", BODY), "unknown key id");
    }

    @Test
    void refusesWhenTheKeyFileIsMalformed() throws Exception {
        Files.writeString(keys.resolve("bad.test.gw"), "key1 big_secret\n");
        PublishAuthenticator auth = new PublishAuthenticator(PublishAuth.HMAC, keys);
        refused(auth, "bad.test", PublishAuthorization.header("key1", "big_secret", BODY), "is not 'plain_text <id> <secret>'");
    }

    @Test
    void checksNothingWhenNotRequired() {
        new PublishAuthenticator(PublishAuth.NONE, keys).check("any.test", "garbage", BODY);
    }

    private static void refused(PublishAuthenticator auth, String repository, String header, String expected) {
        PublicationRefusedException e = assertThrows(PublicationRefusedException.class, () -> auth.check(repository, header, BODY));
        assertEquals(PublicationRefusedException.Cause.UNAUTHENTICATED, e.refusal());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
