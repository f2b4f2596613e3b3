package org.cvmfs.suite.notify.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.restassured.RestAssured;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.cvmfs.suite.notify.service.NotificationService;
import org.cvmfs.suite.notify.testing.NotifyTestHost;
import org.cvmfs.suite.notify.testing.TestMessages;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(NotifyTestHost.class)
class PublishResourceTest {
    @Inject
    NotificationService service;

    @Test
    void acceptsTheCppPublisherOnEveryPathWhateverTheContentType() {
        String[] paths = {"/api/v1/publish", "/api/v1/notifications/publish", "/api/v1/publish/notifications/publish"};
        String[] types = {"application/x-www-form-urlencoded", "application/json", "text/plain"};
        for (int i = 0; i < paths.length; i++) {
            given().contentType(types[i]).body(new String(TestMessages.json("paths.test", i + 1), StandardCharsets.UTF_8))
                    .when().post(paths[i])
                    .then().statusCode(200).contentType("application/json").body(equalTo("{\"status\":\"ok\"}"));
        }
        given().body(TestMessages.json("paths.test", 4)).when().post("/api/v1/publish").then().statusCode(200);
        assertEquals(4, service.latest("paths.test").orElseThrow().revision());
    }

    @Test
    void forwardsThePublishedBytesWithLineBreaksRemoved() {
        String pretty = new String(TestMessages.json("pretty.test", 1), StandardCharsets.UTF_8).replace(", ", ",\r\n  ");
        given().body(pretty).when().post("/api/v1/publish").then().statusCode(200);
        assertArrayEquals(pretty.replace("\r\n", "").getBytes(StandardCharsets.UTF_8),
                service.latest("pretty.test").orElseThrow().wire());
    }

    @Test
    void takesTheSameMessageTwiceAndAnEqualRevisionAgain() {
        byte[] first = TestMessages.json("again.test", 3);
        given().body(first).when().post("/api/v1/publish").then().statusCode(200);
        given().body(first).when().post("/api/v1/publish").then().statusCode(200);
        byte[] restamped = new String(first, StandardCharsets.UTF_8).replace("19 Sep 2019", "20 Sep 2019").getBytes(StandardCharsets.UTF_8);
        given().body(restamped).when().post("/api/v1/publish").then().statusCode(200);
        assertArrayEquals(restamped, service.latest("again.test").orElseThrow().wire());
    }

    @Test
    void refusesAnOlderRevisionWithConflict() {
        given().body(TestMessages.json("order.test", 5)).when().post("/api/v1/publish").then().statusCode(200);
        given().body(TestMessages.json("order.test", 4)).when().post("/api/v1/notifications/publish")
                .then().statusCode(409).contentType("application/json")
                .body("status", equalTo("error"))
                .body("reason", equalTo("revision 4 of order.test is older than the published revision 5"));
        assertEquals(5, service.latest("order.test").orElseThrow().revision());
    }

    @Test
    void refusesMalformedMessagesNamingTheProblem() {
        String good = new String(TestMessages.json("refused.test", 1), StandardCharsets.UTF_8);
        refused("{\"version\":1,", "not valid JSON");
        refused("", "not");
        refused("[]", "not a JSON object");
        refused(good.replace("\"activity\"", "\"publish\""), "field 'type' is \"publish\", expected \"activity\"");
        refused(good.replace("\"version\" : 1", "\"version\" : \"1\""), "field 'version'");
        refused(good.replace("\"manifest\" : \"", "\"manifest\" : \"*"), "'manifest' is not");
        refused(good.replace("\"manifest\" : \"", "\"manifest\" : \"QQ"), "not a multiple of 4");
        refused(good.replace("\"refused.test\"", "\"../../etc\""), "not a repository name");
        refused(good.replace("\"refused.test\"", "\"other.test\""), "the manifest is of repository 'refused.test', the message names 'other.test'");
        String garbage = Base64.getEncoder().encodeToString("not a manifest".getBytes(StandardCharsets.US_ASCII));
        refused(good.replaceAll("\"manifest\" : \"[^\"]*\"", "\"manifest\" : \"" + garbage + "\""), "field 'manifest': manifest has no C line");
        assertEquals(false, service.latest("refused.test").isPresent());
        assertEquals(false, service.latest("other.test").isPresent());
    }

    /**
     * Only the headers are sent: the answer must come from the declared length alone, before a
     * byte of the body, which shows the body is never read (and keeps the test free of the race
     * between a client still sending and a server that has already closed).
     */
    @Test
    void refusesABodyOverTheLimitWithoutReadingIt() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), RestAssured.port)) {
            socket.setSoTimeout(10_000);
            String head = "POST /api/v1/publish HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + (2 * 1024 * 1024) + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            BufferedReader reply = new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            assertEquals("HTTP/1.1 413 Request Entity Too Large", reply.readLine());
        }
    }

    @Test
    void countsPublishesAndSubscribersInTheMetrics() {
        given().body(TestMessages.json("metrics.test", 1)).when().post("/api/v1/publish").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("cvmfs_notify_publishes_total{outcome=\"accepted\"}"))
                .body(containsString("cvmfs_notify_subscribers"));
    }

    @Test
    void answersOtherMethodsWith405() {
        given().when().get("/api/v1/publish").then().statusCode(405);
        given().when().put("/api/v1/subscribe").then().statusCode(405);
    }

    private static void refused(String body, String reason) {
        given().contentType("application/x-www-form-urlencoded").body(body)
                .when().post("/api/v1/publish")
                .then().statusCode(400).contentType("application/json")
                .body("status", equalTo("error"))
                .body("reason", containsString(reason));
    }
}
