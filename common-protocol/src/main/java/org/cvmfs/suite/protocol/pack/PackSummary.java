package org.cvmfs.suite.protocol.pack;

/**
 * What storing one pack did.
 *
 * @param objectsAdded        non-catalog objects that were new to the store
 * @param objectsDuplicated   entries whose object the store already had (including repeats in the pack)
 * @param catalogsAdded       catalog objects ({@code C} suffix) that were new to the store
 * @param bytesAdded          stored bytes of all new objects
 * @param catalogBytesAdded   stored bytes of the new catalogs
 */
public record PackSummary(int objectsAdded, int objectsDuplicated, int catalogsAdded, long bytesAdded,
                          long catalogBytesAdded) {
}
