package org.cvmfs.suite.protocol.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;

class GatewayMessagesTest {
    private static final Path EXCHANGES = Fixtures.gatewayPublication().resolve("exchanges");

    @Test
    void leaseRequestIsByteIdenticalToTheCppClient() throws Exception {
        String recorded = Files.readString(EXCHANGES.resolve("001-POST-leases/request.body"));
        assertEquals(recorded, LeaseRequest.of(LeasePath.parse("capture.test/sw"), "vm").toWire());
        LeaseRequest parsed = LeaseRequest.parse(recorded.getBytes(StandardCharsets.UTF_8));
        assertEquals(new LeaseRequest("capture.test/sw", "2", "vm"), parsed);
        assertEquals(2, parsed.apiVersionNumber());
    }

    @Test
    void leaseRequestIsReadLikeGoDoes() {
        assertEquals("r/x", LeaseRequest.parse(bytes("{\"PATH\":\"r/x\",\"Api_Version\":\"3\",\"extra\":[1]}")).path());
        assertEquals(2, LeaseRequest.parse(bytes("{\"path\":\"r/x\",\"api_version\":2}")).apiVersionNumber());
        assertEquals("r/x", LeaseRequest.parse(bytes("{\"path\":\"r/x\",\"api_version\":\"2\"} trailing")).path());
        assertNull(LeaseRequest.parse(bytes("{\"path\":\"r/x\",\"api_version\":\"2\"}")).hostname());
        assertThrows(MalformedMessageException.class, () -> LeaseRequest.parse(bytes("{\"path\":")));
        assertThrows(MalformedMessageException.class, () -> LeaseRequest.parse(bytes("null")));
        assertThrows(MalformedMessageException.class, () -> LeaseRequest.parse(bytes("[1,2]")));
        assertThrows(MalformedMessageException.class, () -> LeaseRequest.parse(bytes("")));
        assertThrows(MalformedMessageException.class,
                () -> LeaseRequest.parse(bytes("{\"path\":\"r/x\"}")).apiVersionNumber());
        assertThrows(MalformedMessageException.class,
                () -> LeaseRequest.parse(bytes("{\"path\":\"r/x\",\"api_version\":\"two\"}")).apiVersionNumber());
        assertThrows(MalformedMessageException.class,
                () -> LeaseRequest.parse(bytes("{\"path\":\"r/x\",\"api_version\":\"-1\"}")).apiVersionNumber());
    }

    @Test
    void quotingEscapesWhatJsonNeeds() {
        LeaseRequest r = new LeaseRequest("r/a\"b\\c", "2", "h\n");
        assertEquals(r, LeaseRequest.parse(r.toWireBytes()));
    }

    @Test
    void payloadMessageIsByteIdenticalToTheCppClient() throws Exception {
        for (String exchange : new String[] {"002-POST-payloads", "003-POST-payloads", "006-POST-payloads",
                "007-POST-payloads"}) {
            byte[] signed = GatewayAuthTest.hmacInput(EXCHANGES.resolve(exchange));
            PayloadMessage m = PayloadMessage.parse(signed);
            assertEquals(new String(signed, StandardCharsets.UTF_8),
                    PayloadMessage.of(m.sessionToken(), m.payloadDigest(), m.headerSizeValue()).toWire(), exchange);
        }
        assertThrows(MalformedMessageException.class,
                () -> PayloadMessage.parse(bytes("{\"header_size\":\"0x10\"}")).headerSizeValue());
    }

    @Test
    void commitRequestIsByteIdenticalToTheCppClient() throws Exception {
        for (String exchange : new String[] {"004-POST-leases-token", "008-POST-leases-token"}) {
            byte[] recorded = Files.readAllBytes(EXCHANGES.resolve(exchange).resolve("request.body"));
            CommitRequest parsed = CommitRequest.parse(recorded);
            CommitRequest rebuilt = CommitRequest.of(ContentHash.parseSuffixed(parsed.oldRootHash()),
                    ContentHash.parseSuffixed(parsed.newRootHash()), parsed.tagName(), parsed.tagDescription());
            assertTrue(Arrays.equals(recorded, rebuilt.toWireBytes()), exchange + ": " + rebuilt.toWire());
        }
        CommitRequest empty = CommitRequest.parse(bytes("{}"));
        assertEquals("", empty.oldRootHash());
        assertEquals("", empty.tagName());
    }

    @Test
    void repliesAreByteIdenticalToTheGoGateway() throws Exception {
        assertEquals(reply("001-POST-leases"),
                GatewayReply.leaseGranted("XBV3K6GPARNPSBOHYL4P5IA7DI3HKCZEOU3NRSTVM5UXK3GEFK7A====", 2).toWire());
        assertEquals(reply("002-POST-payloads"), GatewayReply.ok().toWire());
        assertEquals(reply("004-POST-leases-token"), GatewayReply.committed(2).toWire());
        assertEquals(reply("012-POST-leases"), GatewayReply.pathBusy("1h59m59.891420385s").toWire());
        assertEquals("{\"reason\":\"invalid_hmac\",\"status\":\"error\"}", GatewayReply.error("invalid_hmac").toWire());
        assertEquals("{\"output\":\"done\\n\",\"status\":\"ok\"}", GatewayReply.gcOutput("done\n").toWire());
    }

    @Test
    void repliesParseLeniently() {
        GatewayReply busy = GatewayReply.parse(bytes("{\"status\":\"path_busy\",\"time_remaining\":7199}"));
        assertTrue(busy.isPathBusy());
        assertEquals("7199", busy.timeRemaining());
        assertThrows(MalformedMessageException.class, () -> GatewayReply.parse(bytes("{\"data\":{}}")));
        assertThrows(MalformedMessageException.class, () -> GatewayReply.parse(bytes("<html>")));
    }

    private static String reply(String exchange) throws Exception {
        return Files.readString(EXCHANGES.resolve(exchange).resolve("response.body"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
