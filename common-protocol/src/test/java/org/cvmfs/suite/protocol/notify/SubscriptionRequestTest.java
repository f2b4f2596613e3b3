package org.cvmfs.suite.protocol.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SubscriptionRequestTest {
    @Test
    void writesTheCompactFormOfTheCppClient() {
        assertEquals("{\"version\":1,\"repository\":\"test.cern.ch\"}",
                new String(SubscriptionRequest.of("test.cern.ch").toJson(), StandardCharsets.UTF_8));
    }

    @Test
    void toleratesAMissingOrOddVersionLikeBothUpstreamServers() {
        assertEquals(new SubscriptionRequest(1, "a.org"), parse("{\"repository\":\"a.org\"}"));
        assertEquals(new SubscriptionRequest(1, "a.org"), parse("{\"version\":\"one\",\"repository\":\"a.org\"}"));
        assertEquals(new SubscriptionRequest(2, "a.org"), parse("{\"version\":2,\"repository\":\"a.org\"}"));
    }

    @Test
    void escapesWhatItWritesSoItReadsBack() {
        SubscriptionRequest odd = SubscriptionRequest.of("we\"ird\\name\u0001");
        assertEquals(odd, SubscriptionRequest.parse(odd.toJson()));
    }

    @Test
    void refusesRequestsWithoutARepositoryString() {
        assertRefused("", "not");
        assertRefused("{\"version\":1}", "'repository' is missing");
        assertRefused("{\"version\":1,\"repository\":5}", "'repository' is 5");
        assertRefused("{\"version\":1,\"repository\":\"\"}", "'repository' is empty");
        assertRefused("{\"version\":1,\"repository\":\"x\"", "not valid JSON");
    }

    private static SubscriptionRequest parse(String json) {
        return SubscriptionRequest.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertRefused(String json, String expected) {
        NotifyMessageException e = assertThrows(NotifyMessageException.class, () -> parse(json));
        assertTrue(e.getMessage().contains(expected), () -> "'" + e.getMessage() + "' should mention '" + expected + "'");
    }
}
