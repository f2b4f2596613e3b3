package org.cvmfs.suite.protocol.conveyor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The worked examples of spec 4.3, computed there with openssl. */
class ConveyorAuthTest {
    private static final String KEY = "secret_key";

    @Test
    void submitBodyExample() {
        String body = "{\"JobName\":\"demo\",\"Repository\":\"cvm19.cern.ch\",\"Payload\":\"\",\"LeasePath\":\"/\",\"Dependencies\":[]}";
        assertEquals(94, body.getBytes(StandardCharsets.UTF_8).length);
        assertEquals("VyflgcqK9R9QyTOvZQnZ8HGcpJbl9I8CXeuGS8CNK+o=", ConveyorAuth.sign(KEY, body));
        // and our client serialises that specification to exactly those bytes
        assertEquals(body, ConveyorJson.writeString(new JobSpecification("demo", "cvm19.cern.ch", "", "/", java.util.List.of())));
    }

    @Test
    void statusQueryExample() {
        assertEquals("3Bp77XS9m4Aisqo67+dqiMxO3nObwJaYsAoWGZD8GUw=",
                ConveyorAuth.sign(KEY, "full=false&id=0b5f3c2e-6f1a-4c8e-9d2b-3a4e5f607182"));
    }

    @Test
    void rootPageExample() {
        assertEquals("8wTBEnTKvJOr5586u4SLlAJtPhyaSQceqW++zpufK7A=", ConveyorAuth.sign(KEY, ""));
    }

    @Test
    void verdicts() {
        byte[] msg = "full=false&id=x".getBytes(StandardCharsets.UTF_8);
        assertEquals(ConveyorAuth.Verdict.VALID, ConveyorAuth.verify(KEY, ConveyorAuth.sign(KEY, msg), msg));
        assertEquals(ConveyorAuth.Verdict.MISMATCH, ConveyorAuth.verify("other", ConveyorAuth.sign(KEY, msg), msg));
        assertEquals(ConveyorAuth.Verdict.NOT_BASE64, ConveyorAuth.verify(KEY, "not base64!", msg));
        assertEquals(403, ConveyorAuth.Verdict.MISMATCH.status);
        assertEquals("Could not base64 decode HMAC\n", ConveyorAuth.Verdict.NOT_BASE64.body);
    }
}
