package org.cvmfs.suite.gateway.testing;

import static io.restassured.RestAssured.given;

import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import org.cvmfs.suite.protocol.gateway.GatewayAuth;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.gateway.LeasePath;
import org.cvmfs.suite.protocol.gateway.LeaseRequest;

/** Requests as the C++ publisher sends them (form content type, signed as upstream signs). */
public final class Api {
    public static final String FORM = "application/x-www-form-urlencoded";

    private Api() {
    }

    /** Sends bodies verbatim although they are declared as form data, as libcurl does. */
    private static final RestAssuredConfig RAW_FORM = RestAssuredConfig.config().encoderConfig(
            EncoderConfig.encoderConfig().encodeContentTypeAs(FORM, ContentType.BINARY)
                    .appendDefaultContentCharsetToContentTypeIfUndefined(false));

    public static RequestSpecification publisher() {
        return given().config(RAW_FORM).contentType(FORM).header("User-Agent", "cvmfs/2.12.0").header("Accept", "*/*");
    }

    public static Response acquire(GatewayKey key, String path) {
        byte[] body = LeaseRequest.of(LeasePath.parse(path), "vm").toWireBytes();
        return publisher().header("Authorization", GatewayAuth.sign(key, body)).body(body).post("/api/v1/leases");
    }

    /** Acquires and returns the token, failing the test if the lease was not granted. */
    public static String lease(GatewayKey key, String path) {
        Response r = acquire(key, path);
        String token = r.then().statusCode(200).extract().path("session_token");
        if (token == null) {
            throw new AssertionError("lease on " + path + " not granted: " + r.asString());
        }
        return token;
    }

    public static Response drop(GatewayKey key, String token) {
        return publisher().header("Authorization", GatewayAuth.sign(key, token)).delete("/api/v1/leases/" + token);
    }

    public static Response commit(GatewayKey key, String token, String body) {
        return publisher().header("Authorization", GatewayAuth.sign(key, token))
                .body(body.getBytes(StandardCharsets.UTF_8)).post("/api/v1/leases/" + token);
    }
}
