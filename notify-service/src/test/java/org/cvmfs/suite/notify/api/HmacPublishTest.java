package org.cvmfs.suite.notify.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URL;
import java.util.Map;
import org.cvmfs.suite.notify.testing.NotifyTestHost;
import org.cvmfs.suite.notify.testing.TestMessages;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.notify.NotifyClient;
import org.junit.jupiter.api.Test;

/** {@code publish_auth: "hmac"}: publishes must carry the gateway HMAC of the repository's key. */
@QuarkusTest
@QuarkusTestResource(NotifyTestHost.class)
@TestProfile(HmacPublishTest.Hmac.class)
class HmacPublishTest {
    public static final class Hmac implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cvmfs.notify.publish-auth", "hmac", "cvmfs.notify.testing-mode", "true");
        }
    }

    @TestHTTPResource
    URL root;

    @Test
    void acceptsASignedPublishAndRefusesOthersWith401() throws Exception {
        NotifyClient client = NotifyClient.create(URI.create(root + "api/v1"));
        String repo = NotifyTestHost.HMAC_REPOSITORY;
        NotifyClient.PublishReply unsigned = client.publish(TestMessages.message(repo, 1));
        assertEquals(401, unsigned.status());
        assertTrue(unsigned.body().contains("no Authorization header"), unsigned.body());
        assertEquals(401, client.withGatewayKey(new GatewayKey(NotifyTestHost.HMAC_KEY.id(), "wrong")).publish(TestMessages.message(repo, 1)).status());
        assertEquals(200, client.withGatewayKey(NotifyTestHost.HMAC_KEY)
                .publish(TestMessages.message(repo, 1)).status());
        given().header("Authorization", "key1 garbage").body(TestMessages.json("nokey.test", 1))
                .when().post("/api/v1/notifications/publish")
                .then().statusCode(401).body("reason", containsString("publish for nokey.test is not authenticated"));
    }
}
