package org.cvmfs.suite.notify.service;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.cvmfs.suite.notify.config.NotifySettings.PublishAuth;
import org.cvmfs.suite.protocol.gateway.GatewayAuth;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishAuthenticatorTest {
    private static final byte[] BODY = "{\"any\":\"body\"}".getBytes(StandardCharsets.US_ASCII);
    /** The key of the fixture's {@code capture.test.gw}. */
    private static final GatewayKey KEY1 = new GatewayKey("key1", "big_secret");

    @TempDir
    Path keys;

    @Test
    void acceptsTheKeyOfTheRepositoryGatewayKeyFile() throws Exception {
        PublishAuthenticator auth = withFixtureKey();
        auth.check("capture.test", GatewayAuth.sign(KEY1, BODY), BODY);
        refused(auth, "capture.test", GatewayAuth.sign(new GatewayKey("key1", "wrong"), BODY),
                "HMAC of key 'key1' does not match the body");
        refused(auth, "capture.test", GatewayAuth.sign(new GatewayKey("key2", "big_secret"), BODY), "unknown key id 'key2'");
        refused(auth, "other.test", GatewayAuth.sign(KEY1, BODY), "unknown key id 'key1'");
    }

    @Test
    void refusesMalformedHeadersSayingWhy() throws Exception {
        PublishAuthenticator auth = withFixtureKey();
        String signature = GatewayAuth.sign(KEY1, BODY).substring("key1 ".length());
        refused(auth, "capture.test", null, "no Authorization header");
        refused(auth, "capture.test", "", "no Authorization header");
        for (String header : new String[] {"key1", "key1 ", " " + signature, "key1  " + signature, "key1 !!!",
                "key1 " + signature + " more"}) {
            refused(auth, "capture.test", header, "Authorization header is not '<key id> <base64 signature>'");
        }
    }

    @Test
    void refusesAMacOverOtherBytesOrInOtherForms() throws Exception {
        PublishAuthenticator auth = withFixtureKey();
        refused(auth, "capture.test", GatewayAuth.sign(KEY1, "{}"), "does not match");
        String hex = GatewayAuth.hexHmac(KEY1.secret(), BODY);
        for (String presented : new String[] {hex.toUpperCase(), hex.substring(0, 39), hex + "0"}) {
            String header = "key1 " + Base64.getEncoder().encodeToString(presented.getBytes(StandardCharsets.US_ASCII));
            refused(auth, "capture.test", header, "does not match");
        }
    }

    @Test
    void cutsAHostileKeyIdInTheRefusal() throws Exception {
        PublishAuthenticator auth = withFixtureKey();
        String longId = "k".repeat(10_000);
        PublicationRefusedException e = refused(auth, "capture.test",
                GatewayAuth.sign(new GatewayKey(longId, "s"), BODY), "unknown key id 'kkk");
        assertTrue(e.getMessage().length() < 300, e.getMessage());
    }

    @Test
    void refusesWhenTheKeyFileIsMalformed() throws Exception {
        Files.writeString(keys.resolve("bad.test.gw"), "key1 big_secret\n");
        Files.writeString(keys.resolve("typed.test.gw"), "sha1 key1 big_secret\n");
        PublishAuthenticator auth = new PublishAuthenticator(PublishAuth.HMAC, keys);
        refused(auth, "bad.test", GatewayAuth.sign(KEY1, BODY), "expected 'plain_text ID SECRET'");
        refused(auth, "typed.test", GatewayAuth.sign(KEY1, BODY), "invalid key type 'sha1'");
    }

    @Test
    void readsARotatedKeyAtTheNextPublish() throws Exception {
        PublishAuthenticator auth = withFixtureKey();
        GatewayKey rotated = new GatewayKey("key9", "new_secret");
        Files.writeString(keys.resolve("capture.test.gw"), rotated.toFileContent());
        auth.check("capture.test", GatewayAuth.sign(rotated, BODY), BODY);
        refused(auth, "capture.test", GatewayAuth.sign(KEY1, BODY), "unknown key id 'key1'");
    }

    @Test
    void checksNothingWhenNotRequired() throws Exception {
        withFixtureKey();
        PublishAuthenticator none = new PublishAuthenticator(PublishAuth.NONE, keys);
        // each of these is refused under HMAC (the tests above); without the requirement all pass
        for (String header : new String[] {null, "", "garbage", GatewayAuth.sign(new GatewayKey("key1", "wrong"), BODY)}) {
            assertDoesNotThrow(() -> none.check("capture.test", header, BODY), "header " + header);
            assertDoesNotThrow(() -> none.check("nokey.test", header, BODY), "header " + header);
        }
    }

    private PublishAuthenticator withFixtureKey() throws Exception {
        Files.copy(Fixtures.gatewayPublication().resolve("keys/capture.test.gw"), keys.resolve("capture.test.gw"));
        return new PublishAuthenticator(PublishAuth.HMAC, keys);
    }

    private static PublicationRefusedException refused(PublishAuthenticator auth, String repository, String header,
            String expected) {
        PublicationRefusedException e = assertThrows(PublicationRefusedException.class, () -> auth.check(repository, header, BODY));
        assertEquals(PublicationRefusedException.Cause.UNAUTHENTICATED, e.refusal());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        return e;
    }
}
