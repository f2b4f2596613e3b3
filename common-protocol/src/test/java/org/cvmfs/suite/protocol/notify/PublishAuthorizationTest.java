package org.cvmfs.suite.protocol.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PublishAuthorizationTest {
    /** Worked example (a) of the gateway specification, computed independently with Python and openssl. */
    private static final byte[] BODY = "{\"path\" : \"cvm19.cern.ch/sub/dir\", \"api_version\" : \"2\", \"hostname\" : \"publisher1.example.org\"}"
            .getBytes(StandardCharsets.US_ASCII);
    private static final String HEADER = "key1 ZmY2MmFjMGI0M2JhYmVmNDljMjVlZmY5OTg0ZWY3Njk0NjM0Nzg3NA==";
    private static final Function<String, Optional<String>> KEYS = id -> Optional.ofNullable(Map.of("key1", "big_secret").get(id));

    @Test
    void signsLikeTheGateway() {
        assertEquals(HEADER, PublishAuthorization.header("key1", "big_secret", BODY));
    }

    @Test
    void verifiesAGoodHeaderAndNamesTheKey() {
        PublishAuthorization.Result r = PublishAuthorization.verify(HEADER, BODY, KEYS);
        assertTrue(r.authenticated());
        assertEquals(Optional.of("key1"), r.keyId());
    }

    @Test
    void refusesEveryWrongHeader() {
        assertRefused(null, BODY, "no Authorization");
        assertRefused("key1", BODY, "is not '<key id> <signature>'");
        assertRefused("key1  " + HEADER.substring(5), BODY, "is not '<key id> <signature>'");
        assertRefused("key1 !!!", BODY, "not Base64");
        assertRefused("key2 " + HEADER.substring(5), BODY, "unknown key id 'key2'");
        assertRefused(HEADER, "{}".getBytes(StandardCharsets.US_ASCII), "does not match");
        String upper = java.util.Base64.getEncoder().encodeToString("FF62AC0B43BABEF49C25EFF9984EF76946347874".getBytes(StandardCharsets.US_ASCII));
        assertRefused("key1 " + upper, BODY, "does not match");
    }

    @Test
    void refusesAKeyIdWithWhitespace() {
        assertThrows(IllegalArgumentException.class, () -> PublishAuthorization.header("key 1", "s", BODY));
    }

    private static void assertRefused(String header, byte[] body, String expected) {
        PublishAuthorization.Result r = PublishAuthorization.verify(header, body, KEYS);
        assertFalse(r.authenticated());
        assertTrue(r.reason().contains(expected), () -> "'" + r.reason() + "' should mention '" + expected + "'");
    }
}
