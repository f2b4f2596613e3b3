package org.cvmfs.suite.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.gateway.LeaseRequest;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Lease requests and replays (issue 10, part 9): the gateway of the end-to-end hosts requires
 * signed lease requests; our publisher publishes through it, and the acquire it sent, replayed
 * byte for byte with its valid MAC, is refused, as is upstream's recorded acquire (a valid MAC
 * but no time stamp or nonce).
 */
@ExtendWith(Hosts.Extension.class)
class SignedLeaseRequestTest {
    private final Hosts hosts;
    private final PublisherHost two;

    SignedLeaseRequestTest(Hosts hosts) {
        this.hosts = hosts;
        this.two = hosts.publisher2();
    }

    @Test
    void publishesWithSignedRequestsAndARecordedAcquireCannotBeReplayed() throws Exception {
        long before = hosts.gateway().head().revision();
        hosts.tap().clear();
        ServerCli.assertExit(0, two.transaction("/signed"));
        PublishThroughGatewayTest.write(two.tree("/signed").resolve("a.txt"), "signed\n");
        GatewayTap.Request acquire = hosts.tap().requests().get(0);
        assertEquals("POST /leases", acquire.method() + " " + acquire.route());
        assertEquals(before + 1, hosts.publish(two));

        GatewayReply replayed = post(acquire.body(), acquire.header("Authorization"));
        assertEquals(GatewayReply.error("lease request replayed"), replayed);

        var upstream = Fixtures.gatewayPublication().resolve("exchanges/001-POST-leases");
        String authorization = Files.readAllLines(upstream.resolve("request.headers")).stream()
                .filter(l -> l.startsWith("Authorization: ")).map(l -> l.substring("Authorization: ".length()).strip())
                .findFirst().orElseThrow();
        byte[] unsigned = Files.readAllBytes(upstream.resolve("request.body"));
        assertEquals(false, LeaseRequest.parse(unsigned).isReplayProtected());
        assertEquals(GatewayReply.error("lease request lacks a signed timestamp and nonce"),
                post(unsigned, authorization));

        assertEquals(before + 1, hosts.gateway().head().revision(), "nothing was leased or published by the replays");
        ServerCli.assertExit(0, two.transaction("/signed"), "no replayed lease holds the subtree");
        ServerCli.assertExit(0, two.abort("-f"));
    }

    private GatewayReply post(byte[] body, String authorization) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(hosts.gateway().apiUrl() + "/leases"))
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        return GatewayReply.parse(response.body());
    }
}
