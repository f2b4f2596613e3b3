package org.cvmfs.suite.protocol.catalog;

/**
 * One problem the verifier found.
 *
 * @param catalog the catalog, by mountpoint and hash
 * @param path the entry concerned, or the catalog's mountpoint for catalog-wide problems
 * @param problem what is wrong, with the values involved
 */
public record CatalogFault(String catalog, String path, String problem) {
    @Override
    public String toString() {
        return catalog + ": " + (path.isEmpty() ? "(root)" : path) + ": " + problem;
    }
}
