package org.cvmfs.suite.protocol.catalog;

/** A catalog whose content breaks the format, or an edit the catalog structure cannot take. */
public class CatalogException extends RuntimeException {
    public CatalogException(String message) {
        super(message);
    }

    public CatalogException(String message, Throwable cause) {
        super(message, cause);
    }
}
