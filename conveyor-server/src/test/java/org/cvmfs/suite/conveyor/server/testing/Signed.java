package org.cvmfs.suite.conveyor.server.testing;

import static io.restassured.RestAssured.given;

import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import org.cvmfs.suite.protocol.conveyor.ConveyorAuth;

/**
 * Requests as upstream's Go client sends them: the exact body bytes signed with the shared key,
 * {@code Content-Type} exactly {@code application/json} (rest-assured would append a charset),
 * the query string sent and signed verbatim.
 */
public final class Signed {
    private Signed() {
    }

    /** A request with nothing added: no charset appended, no query re-encoding. */
    public static RequestSpecification raw() {
        return given().config(RestAssured.config().encoderConfig(
                        EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false)))
                .urlEncodingEnabled(false);
    }

    public static Response post(String path, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return raw().contentType("application/json").header(ConveyorAuth.HEADER, sign(bytes)).body(bytes).post(path);
    }

    public static Response get(String path, String query) {
        return raw().header(ConveyorAuth.HEADER, ConveyorAuth.sign(ConveyorTestServer.SHARED_KEY, query))
                .get(query.isEmpty() ? path : path + "?" + query);
    }

    public static String sign(byte[] message) {
        return ConveyorAuth.sign(ConveyorTestServer.SHARED_KEY, message);
    }
}
