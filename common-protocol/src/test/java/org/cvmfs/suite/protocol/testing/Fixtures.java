package org.cvmfs.suite.protocol.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Locates the upstream ground-truth fixtures in {@code ../shared/fixtures} beside the checkout. */
public final class Fixtures {
    /** A moment inside the validity of every fixture whitelist (signed 2026-11-25, expiring 2026-12-25). */
    public static final Clock WHITELISTS_VALID = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);

    private static JsonNode gatewayPublicationFacts;

    private Fixtures() {
    }

    public static Path root() {
        String configured = System.getProperty("cvmfs.fixtures");
        Path p = configured != null ? Path.of(configured) : Path.of("../../shared/fixtures");
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("fixtures not found at " + p.toAbsolutePath()
                    + " (set -Dcvmfs.fixtures=/path/to/shared/fixtures)");
        }
        return p.toAbsolutePath().normalize();
    }

    /** The repository {@code test.local} written by upstream 2.12. */
    public static Path upstreamTestLocal() {
        return root().resolve("upstream-test.local");
    }

    /** The recorded publications through the upstream gateway ({@code capture.test}). */
    public static Path gatewayPublication() {
        return root().resolve("upstream-gateway-publication");
    }

    /**
     * {@code upstream-gateway-publication/facts.json} (what upstream published: states, entries,
     * chunks, recorded exchanges), parsed once per test JVM. Read-only by contract: callers must
     * not modify the tree.
     */
    public static synchronized JsonNode gatewayPublicationFacts() {
        if (gatewayPublicationFacts == null) {
            try {
                gatewayPublicationFacts = new ObjectMapper().readTree(gatewayPublication().resolve("facts.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read facts.json of the gateway publication", e);
            }
        }
        return gatewayPublicationFacts;
    }
}
