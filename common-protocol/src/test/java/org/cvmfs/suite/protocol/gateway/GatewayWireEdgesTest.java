package org.cvmfs.suite.protocol.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.junit.jupiter.api.Test;

/**
 * The edges of the gateway's wire messages that the recorded exchanges never reach: the exact
 * limits of the decimal fields, what a refusal quotes, JSON escaping at the control-character
 * boundary, the authorization header's shape and the default values of a commit request.
 * Written from the survivors of a PIT run (issue 9); each assertion fails if its rule is moved by one.
 */
class GatewayWireEdgesTest {
    @Test
    void decimalFieldsTakeNineDigitsAndNoMore() {
        assertEquals(999_999_999, new LeaseRequest("r/", "999999999", null).apiVersionNumber());
        MalformedMessageException ten = assertThrows(MalformedMessageException.class,
                () -> new LeaseRequest("r/", "1000000000", null).apiVersionNumber());
        assertEquals("api_version must be a decimal integer, got '1000000000'", ten.getMessage());
        assertEquals(0, new LeaseRequest("r/", "0", null).apiVersionNumber());
        assertEquals(9, new LeaseRequest("r/", "9", null).apiVersionNumber());
        for (String bad : new String[] {"/", ":", "-1", "+1", "1 "}) {  // '/' and ':' border the digits
            MalformedMessageException e = assertThrows(MalformedMessageException.class,
                    () -> new LeaseRequest("r/", bad, null).apiVersionNumber(), bad);
            assertEquals("api_version must be a decimal integer, got '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void aRefusalQuotesAtMostFortyCharacters() {
        String forty = "x".repeat(40);
        assertEquals("header_size must be a decimal integer, got '" + forty + "'",
                assertThrows(MalformedMessageException.class, () -> LeaseRequest.decimal("header_size", forty)).getMessage());
        assertEquals("header_size must be a decimal integer, got '" + forty + "...'",
                assertThrows(MalformedMessageException.class,
                        () -> LeaseRequest.decimal("header_size", forty + "y")).getMessage());
        assertEquals("api_version must be a decimal integer, got nothing",
                assertThrows(MalformedMessageException.class,
                        () -> new LeaseRequest("r/", null, null).apiVersionNumber()).getMessage());
        assertEquals("api_version must be a decimal integer, got ''",
                assertThrows(MalformedMessageException.class,
                        () -> new LeaseRequest("r/", "", null).apiVersionNumber()).getMessage());
    }

    @Test
    void jsonEscapesControlCharactersButNotSpace() {
        assertEquals("\"a b~\"", GatewayJson.quote("a b~"));
        assertEquals("\"\\u001f\\u0000\"", GatewayJson.quote("\u001f\u0000"));
        assertEquals("\"\\\"\\\\\\n\\r\\t\"", GatewayJson.quote("\"\\\n\r\t"));
    }

    @Test
    void authorizationNeedsAKeyIdBeforeTheSpace() {
        assertTrue(GatewayAuth.parse("key1 YWJj").isPresent());
        assertEquals("key1", GatewayAuth.parse("key1 YWJj").get().keyId());
        assertFalse(GatewayAuth.parse(" YWJj").isPresent(), "no key id");
        assertFalse(GatewayAuth.parse("key1 ").isPresent(), "no MAC");
        assertFalse(GatewayAuth.parse("key1 YW Jj").isPresent(), "three tokens");
        assertFalse(GatewayAuth.parse("key1YWJj").isPresent(), "one token");
        assertFalse(GatewayAuth.parse("key1 !!!!").isPresent(), "not base64");
        assertFalse(GatewayAuth.parse(null).isPresent());
    }

    @Test
    void aKeyPrintsItsIdOnly() {
        GatewayKey key = GatewayKey.parse("plain_text key1 big_secret\n", "r.gw");
        assertEquals("GatewayKey[key1]", key.toString());
    }

    @Test
    void onlyPathBusyIsPathBusy() {
        assertTrue(GatewayReply.pathBusy("1s").isPathBusy());
        assertFalse(GatewayReply.ok().isPathBusy());
        assertFalse(GatewayReply.error("path_busy").isPathBusy());
        assertFalse(GatewayReply.pathBusy("1s").isOk());
    }

    @Test
    void aCommitRequestKeepsItsFieldsAndDefaultsMissingOnesToEmpty() {
        ContentHash old = ContentHash.parse("e8ec3d88b62ebf526e4e5a4ff6162a3aa48a6b78", ObjectSuffix.CATALOG);
        ContentHash fresh = ContentHash.parse("14a637b8dc8e758c79eee0aa6710bff988055198", ObjectSuffix.CATALOG);
        CommitRequest r = CommitRequest.of(old, fresh, "v1", "first");
        assertEquals("{\"old_root_hash\":\"e8ec3d88b62ebf526e4e5a4ff6162a3aa48a6b78C\","
                + "\"new_root_hash\":\"14a637b8dc8e758c79eee0aa6710bff988055198C\",\"tag_name\":\"v1\","
                + "\"tag_channel\":0,\"tag_description\":\"first\"}", r.toWire());
        assertEquals(r, CommitRequest.parse(r.toWireBytes()));
        CommitRequest empty = new CommitRequest(null, null, null, 0, null);
        assertEquals(new CommitRequest("", "", "", 0, ""), empty);
        assertEquals("", empty.tagDescription());
    }

    @Test
    void aLeasePathPrintsItsWireForm() {
        assertEquals("repo/sw/x", LeasePath.parse("repo/sw/x").toString());
    }
}
