package org.cvmfs.suite.protocol.catalog;

import org.cvmfs.suite.protocol.name.RawName;

/**
 * One problem the verifier found. {@code path} holds the entry's bytes ({@link RawName});
 * {@link #toString()} shows bytes that are not UTF-8 as {@code \xNN}.
 *
 * @param catalog the catalog, by mountpoint and hash
 * @param path the entry concerned, or the catalog's mountpoint for catalog-wide problems
 * @param problem what is wrong, with the values involved
 * @param warning reported only: invisible to clients and not a fault in upstream's check either
 */
public record CatalogFault(String catalog, String path, String problem, boolean warning) {
    public CatalogFault(String catalog, String path, String problem) {
        this(catalog, path, problem, false);
    }

    @Override
    public String toString() {
        return catalog + ": " + (path.isEmpty() ? "(root)" : RawName.printable(path)) + ": " + problem;
    }
}
