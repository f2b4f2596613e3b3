package org.cvmfs.suite.protocol.catalog;

import java.util.Map;

/** Lets tests of other packages use the catalog test helpers. */
public final class CatalogTestAccess {
    private CatalogTestAccess() {
    }

    public static Map<String, Map<String, Object>> expectedFacts(String state) throws java.io.IOException {
        return NamespaceFacts.expected(state);
    }

    public static Map<String, Map<String, Object>> facts(CatalogHierarchy tree) {
        return NamespaceFacts.actual(tree);
    }
}
