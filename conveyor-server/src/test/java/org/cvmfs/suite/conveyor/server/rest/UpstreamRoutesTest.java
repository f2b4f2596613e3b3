package org.cvmfs.suite.conveyor.server.rest;

import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.cvmfs.suite.conveyor.server.testing.ConveyorTestServer;
import org.cvmfs.suite.conveyor.server.testing.Signed;
import org.cvmfs.suite.protocol.conveyor.ConveyorAuth;
import org.junit.jupiter.api.Test;

/**
 * Upstream's four routes as a Go client meets them (spec 4): the worked examples of 4.3 byte for
 * byte, the 404/405/400/403 matching quirks of 4.1/4.2, and malformed JSON.
 */
@QuarkusTest
@WithTestResource(ConveyorTestServer.class)
class UpstreamRoutesTest {
    static final String EXAMPLE_BODY = "{\"JobName\":\"demo\",\"Repository\":\"cvm19.cern.ch\",\"Payload\":\"\",\"LeasePath\":\"/\",\"Dependencies\":[]}";
    static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

    @Test
    void workedExample1SubmitIsAccepted() {
        Signed.raw().contentType("application/json").header("Authorization", "VyflgcqK9R9QyTOvZQnZ8HGcpJbl9I8CXeuGS8CNK+o=")
                .body(EXAMPLE_BODY.getBytes()).post("/jobs/new")
                .then().statusCode(200).contentType("text/plain; charset=utf-8")
                .body(matchesPattern("\\{\"Status\":\"ok\",\"ID\":\"" + UUID + "\"\\}"));
    }

    @Test
    void workedExample2StatusQueryOfAnUnknownJobIsOkWithoutLists() {
        Signed.raw().header("Authorization", "3Bp77XS9m4Aisqo67+dqiMxO3nObwJaYsAoWGZD8GUw=")
                .get("/jobs/complete?full=false&id=0b5f3c2e-6f1a-4c8e-9d2b-3a4e5f607182")
                .then().statusCode(200).body(equalTo("{\"Status\":\"ok\"}"));
    }

    @Test
    void workedExample3RootPage() {
        Signed.raw().header("Authorization", "8wTBEnTKvJOr5586u4SLlAJtPhyaSQceqW++zpufK7A=").get("/")
                .then().statusCode(200).contentType("text/plain; charset=utf-8").body(equalTo(UpstreamRoutes.ROOT_TEXT));
    }

    @Test
    void rootWithoutAuthorizationIs403() {
        Signed.raw().get("/").then().statusCode(403).body(equalTo("Invalid request\n"));
    }

    @Test
    void missingAuthorizationIs404NotUnauthorized() {
        Signed.raw().contentType("application/json").body(EXAMPLE_BODY.getBytes()).post("/jobs/new")
                .then().statusCode(404).body(equalTo("404 page not found\n"));
        Signed.raw().get("/jobs/complete?full=false&id=0b5f3c2e-6f1a-4c8e-9d2b-3a4e5f607182")
                .then().statusCode(404).body(equalTo("404 page not found\n"));
        Signed.raw().contentType("application/json").body("{}".getBytes()).post("/jobs/complete")
                .then().statusCode(404);
    }

    @Test
    void contentTypeWithCharsetOrAGetWithoutFullIs404() {
        byte[] body = EXAMPLE_BODY.getBytes();
        Signed.raw().contentType("application/json; charset=utf-8").header("Authorization", Signed.sign(body))
                .body(body).post("/jobs/new").then().statusCode(404).body(equalTo("404 page not found\n"));
        String q = "id=0b5f3c2e-6f1a-4c8e-9d2b-3a4e5f607182";
        Signed.raw().header("Authorization", ConveyorAuth.sign(ConveyorTestServer.SHARED_KEY, q))
                .get("/jobs/complete?" + q).then().statusCode(404);
        Signed.get("/no/such/route", "").then().statusCode(404).body(equalTo("404 page not found\n"));
    }

    @Test
    void wrongMethodOnAnOtherwiseMatchingRouteIs405WithEmptyBody() {
        Signed.raw().contentType("application/json").header("Authorization", Signed.sign(new byte[0]))
                .get("/jobs/new").then().statusCode(405).body(emptyString()).header("Content-Type", nullValue());
        Signed.raw().contentType("application/json").header("Authorization", Signed.sign("{}".getBytes()))
                .body("{}".getBytes()).put("/jobs/complete").then().statusCode(405).body(emptyString());
    }

    @Test
    void authorizationThatIsNotBase64Is400() {
        Signed.raw().contentType("application/json").header("Authorization", "not base64 at all!")
                .body(EXAMPLE_BODY.getBytes()).post("/jobs/new")
                .then().statusCode(400).body(equalTo("Could not base64 decode HMAC\n"));
    }

    @Test
    void wrongHmacIs403() {
        byte[] body = EXAMPLE_BODY.getBytes();
        Signed.raw().contentType("application/json").header("Authorization", ConveyorAuth.sign("other_key", body))
                .body(body).post("/jobs/new").then().statusCode(403).body(equalTo("Invalid request\n"));
        // signed over another body: the HMAC covers the exact bytes sent
        Signed.raw().contentType("application/json").header("Authorization", Signed.sign((EXAMPLE_BODY + " ").getBytes()))
                .body(body).post("/jobs/new").then().statusCode(403);
        // the query string is signed as received, still percent-encoded
        String q = "full=false&id=0b5f3c2e-6f1a-4c8e-9d2b-3a4e5f607182";
        Signed.raw().header("Authorization", ConveyorAuth.sign(ConveyorTestServer.SHARED_KEY, q))
                .get("/jobs/complete?" + q.replace("=false", "=%66alse")).then().statusCode(403);
    }

    @Test
    void malformedJsonIs400WithUpstreamsText() {
        for (String bad : new String[] {"{\"JobName\":", "[1,2]", "not json", "{\"Dependencies\":\"x\"}"}) {
            Signed.post("/jobs/new", bad).then().statusCode(400).body(equalTo("JSON deserialization of request failed\n"));
        }
        for (String bad : new String[] {"{\"ID\":\"not-a-uuid\"}", "{\"ID\":\"0b5f3c2e-6f1a-4c8e-9d2b-3a4e5f607182\",\"StartTime\":\"yesterday\"}", "{"}) {
            Signed.post("/jobs/complete", bad).then().statusCode(400).body(equalTo("JSON deserialization of request failed\n"));
        }
    }

    @Test
    void decodingIsGoLenient() {
        Signed.post("/jobs/new", "{\"repository\":\"lenient.cern.ch\",\"leasepath\":\"/a\",\"Unknown\":1}")
                .then().statusCode(200).body(matchesPattern("\\{\"Status\":\"ok\",\"ID\":\"" + UUID + "\"\\}"));
    }
}
