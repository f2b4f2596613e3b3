package org.cvmfs.suite.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cvmfs.suite.gateway.receiver.CommitResult;
import org.cvmfs.suite.gateway.receiver.ReceiverException;
import org.cvmfs.suite.gateway.receiver.TagSpec;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.gateway.lease.AcquireOutcome;
import org.cvmfs.suite.gateway.lease.Lease;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.gateway.lease.PublishStatistics;
import org.cvmfs.suite.gateway.repo.LeaseAndCommitLocks;
import org.cvmfs.suite.gateway.repo.RepositoryRegistry;
import org.cvmfs.suite.gateway.testing.MutableClock;
import org.cvmfs.suite.gateway.testing.TestHost;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.gateway.LeasePath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.pack.ObjectPackWriter;
import org.cvmfs.suite.protocol.pack.PackHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's half of upstream's receiver pipe protocol, against a scripted stand-in
 * ({@code fake_cvmfs_receiver.py}; upstream's binary is not installed here). What this proves:
 * the frames our {@link UpstreamReceiver} writes (request ids, lengths, JSON and payload bytes,
 * as read back by the script and asserted here), that it parses the replies and errors the
 * script sends in upstream's shape, and how it handles a receiver that dies or answers garbage.
 * What it cannot prove: that the real {@code cvmfs_receiver} answers as the script does; the
 * script's replies are written from upstream's source, and the e2e run against the installed
 * binary is the check of that.
 */
class UpstreamReceiverTest {
    static final ContentHash OLD = ContentHash.parseSuffixed("36648c0a923fdaca587f5440b541360c2d501ce3C");
    static final ContentHash NEW = ContentHash.parseSuffixed("eef5f225445aef7083aad5959208c27c80710da8C");

    TestHost host;
    Path log;
    LeaseService leases;
    UpstreamReceiver receiver;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/env")) && python3Available(), "python3 needed for the fake receiver");
        host = TestHost.create();
        Path script = host.prefix().resolve("fake_cvmfs_receiver");
        try (var in = getClass().getResourceAsStream("/fake_cvmfs_receiver.py")) {
            Files.write(script, in.readAllBytes());
        }
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        log = host.prefix().resolve("receiver.log");
        Files.writeString(host.userConfig(), """
                { "work_dir": "%s", "receiver_backend": "upstream", "receiver_path": "%s", "num_receivers": 2 }
                """.formatted(host.workDir(), script));
        System.setProperty(HostPaths.PREFIX_PROPERTY, host.prefix().toString());
        GatewaySettings settings;
        try {
            settings = GatewaySettings.load(HostPaths.fromEnvironment(), Optional.of(host.userConfig().toString()), Map.of());
        } finally {
            System.clearProperty(HostPaths.PREFIX_PROPERTY);
        }
        leases = new LeaseService(settings, new RepositoryRegistry(settings), new LeaseAndCommitLocks(), new MutableClock(),
                new SimpleMeterRegistry());
        receiver = new UpstreamReceiver(settings, leases);
    }

    @AfterEach
    void stop() {
        if (receiver != null) {
            receiver.shutdown();
            leases.close();
            host.delete();
        }
    }

    @Test
    void payloadStreamsThroughAndStatisticsComeBack() throws Exception {
        Lease lease = lease("capture.test/sw");
        byte[] object = "some stored bytes".getBytes(StandardCharsets.UTF_8);
        ObjectPackWriter pack = new ObjectPackWriter();
        pack.add(ContentHash.compute(org.cvmfs.suite.protocol.hash.HashAlgorithm.SHA1, object,
                org.cvmfs.suite.protocol.hash.ObjectSuffix.NONE), object.length, ObjectPackWriter.ObjectSource.ofBytes(object));
        byte[] header = pack.header().toBytes();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        pack.writeTo(body);
        PublishStatistics stats = receiver.receive(lease, PackHeader.digestOf(header), header.length,
                new ByteArrayInputStream(body.toByteArray()));
        assertEquals(new PublishStatistics(1, 0, 0, object.length, 0), stats);
        JsonNode request = requests().get(0);
        assertEquals(5, request.get("op").asInt());
        assertEquals("capture.test/sw", request.get("message").get("path").asText());
        assertEquals(header.length, request.get("message").get("header_size").asInt());
        assertTrue(request.get("message").get("header_size").isInt(), "header_size is a JSON number towards the receiver");
    }

    @Test
    void receiverRefusalsBecomeTheReason() {
        Lease lease = lease("capture.test/refuse");
        ReceiverException e = assertThrows(ReceiverException.class, () -> receiver.receive(lease, "0".repeat(40), 10,
                new ByteArrayInputStream(new byte[64 * 1024 * 1024])));
        assertEquals("other_error", e.getMessage());
    }

    @Test
    void commitCarriesTheLeaseAndItsStatistics() throws Exception {
        Lease lease = lease("capture.test/");
        leases.addStatistics(lease, new PublishStatistics(2, 1, 1, 100, 40));
        CommitResult result = receiver.commit(lease, OLD, NEW, new TagSpec("generic-2026", "why"));
        assertEquals(7, result.finalRevision());
        JsonNode m = requests().get(0).get("message");
        assertEquals("capture.test/", m.get("lease_path").asText());
        assertEquals(OLD.toSuffixedText(), m.get("old_root_hash").asText());
        assertEquals(NEW.toSuffixedText(), m.get("new_root_hash").asText());
        assertEquals("generic-2026", m.get("tag_name").asText());
        assertEquals("why", m.get("tag_description").asText());
        assertEquals(2, m.get("statistics").get("publish").get("n_chunks_added").asInt());
        assertEquals(40, m.get("statistics").get("publish").get("sz_uploaded_catalog_bytes").asInt());
        assertTrue(m.get("statistics").get("start_time").asText().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"));
    }

    @Test
    void aCrashedReceiverIsReportedAsUpstreamWords() {
        Lease lease = lease("capture.test/crash");
        ReceiverException e = assertThrows(ReceiverException.class, () -> receiver.commit(lease, OLD, NEW,
                new TagSpec("", "")));
        assertEquals("worker 'commit' call failed: possible that the receiver crashed: EOF", e.getMessage());
    }

    private Lease lease(String path) {
        return ((AcquireOutcome.Granted) leases.acquire("key1", LeasePath.parse(path), 2, "vm")).lease();
    }

    private List<JsonNode> requests() throws Exception {
        ObjectMapper json = new ObjectMapper();
        return Files.readAllLines(log).stream().map(l -> {
            try {
                return json.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    private boolean python3Available() {
        try {
            return new ProcessBuilder("python3", "-c", "pass").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
