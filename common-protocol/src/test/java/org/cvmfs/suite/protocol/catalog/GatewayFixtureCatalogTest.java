package org.cvmfs.suite.protocol.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The namespace in each recorded gateway state is exactly what {@code facts.json} lists. */
class GatewayFixtureCatalogTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"before", "after-a", "after-b"})
    void entriesMatchFacts(String state) throws Exception {
        Path served = Fixtures.gatewayPublication().resolve(state);
        try (CatalogHierarchy tree = CatalogHierarchy.open(new LocalRepositorySource(served),
                UpstreamCatalogReadTest.rootHash(served), tmp)) {
            assertEquals(NamespaceFacts.expected(state), NamespaceFacts.actual(tree));
        }
    }
}
