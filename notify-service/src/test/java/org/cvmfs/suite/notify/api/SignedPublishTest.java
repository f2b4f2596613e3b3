package org.cvmfs.suite.notify.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import org.cvmfs.suite.notify.service.NotificationService;
import org.cvmfs.suite.notify.testing.NotifyTestHost;
import org.cvmfs.suite.notify.testing.TestMessages;
import org.cvmfs.suite.protocol.notify.ActivityMessage;
import org.junit.jupiter.api.Test;

/**
 * The repository {@code capture.test} has its certificate in the keys directory, so its
 * manifests must carry its signature: the upstream-signed fixtures pass, forgeries do not.
 */
@QuarkusTest
@QuarkusTestResource(NotifyTestHost.class)
class SignedPublishTest {
    private static final String REPO = NotifyTestHost.SIGNED_REPOSITORY;

    @Inject
    NotificationService service;

    @Test
    void acceptsManifestsSignedUpstreamInRevisionOrderAndRefusesForgeries() {
        publish(TestMessages.fixtureManifest("after-a")).then().statusCode(200);
        publish(TestMessages.fixtureManifest("before")).then().statusCode(409)
                .body("reason", equalTo("revision 1 of capture.test is older than the published revision 2"));

        byte[] tampered = TestMessages.fixtureManifest("after-b");
        String text = new String(tampered, StandardCharsets.ISO_8859_1).replace("\nS3\n", "\nS9\n");
        publish(text.getBytes(StandardCharsets.ISO_8859_1)).then().statusCode(403)
                .body("status", equalTo("error"))
                .body("reason", allOf(containsString("the manifest of capture.test is not signed by the certificate"),
                        containsString("digest mismatch")));

        byte[] badSignature = TestMessages.fixtureManifest("after-b");
        badSignature[badSignature.length - 1] ^= 1;
        publish(badSignature).then().statusCode(403).body("reason", containsString("signature does not verify"));

        publish(TestMessages.manifest(REPO, 10)).then().statusCode(403);
        assertEquals(2, service.latest(REPO).orElseThrow().revision(), "no forgery reached the cache");

        publish(TestMessages.fixtureManifest("after-b")).then().statusCode(200);
        assertEquals(3, service.latest(REPO).orElseThrow().revision());
    }

    private static io.restassured.response.Response publish(byte[] manifest) {
        return given().body(ActivityMessage.of(REPO, manifest, ZonedDateTime.now()).toJson()).when().post("/api/v1/publish");
    }
}
