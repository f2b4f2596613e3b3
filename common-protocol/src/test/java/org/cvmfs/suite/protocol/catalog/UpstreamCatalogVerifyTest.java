package org.cvmfs.suite.protocol.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every catalog upstream wrote passes our verifier, objects included. */
class UpstreamCatalogVerifyTest {
    @TempDir
    Path tmp;

    @Test
    void testLocalHeadAndHistory() throws Exception {
        Path served = Fixtures.upstreamTestLocal().resolve("served");
        CatalogVerifier verifier = new CatalogVerifier(new LocalRepositorySource(served), tmp);
        assertEquals(List.of(), verifier.verify(UpstreamCatalogReadTest.rootHash(served), 57344, true));
        // the older root catalogs of the same repository (revisions 0, 1, 2)
        for (String old : List.of("ca14f5336563436d7556fe3247fa9f0671232d1e", "af05e6dc00d6287b8146307f718658ea0346ecd2",
                "02b3b861187427c058d23a631cd3a35fd52fddc6")) {
            assertEquals(List.of(), verifier.verify(ContentHash.parse(old, ObjectSuffix.CATALOG), 0, true), old);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"before", "after-a", "after-b"})
    void gatewayStates(String state) throws Exception {
        Path served = Fixtures.gatewayPublication().resolve(state);
        CatalogVerifier verifier = new CatalogVerifier(new LocalRepositorySource(served), tmp);
        assertEquals(List.of(), verifier.verify(UpstreamCatalogReadTest.rootHash(served), 57344, true));
    }

    @ParameterizedTest
    @ValueSource(strings = {"eef5f225445aef7083aad5959208c27c80710da8", "06eacfa1551a99cdd89affb3b9ad6217a0066b5f"})
    void publisherUploads(String root) {
        Path served = Fixtures.gatewayPublication().resolve("after-b");
        CatalogVerifier verifier = new CatalogVerifier(new LocalRepositorySource(served), tmp);
        assertEquals(List.of(), verifier.verify(ContentHash.parse(root, ObjectSuffix.CATALOG), 0, true));
    }
}
