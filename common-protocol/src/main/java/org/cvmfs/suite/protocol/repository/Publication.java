package org.cvmfs.suite.protocol.repository;

import java.util.List;
import java.util.Objects;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.manifest.Manifest;

/**
 * A request to make a new root catalog the published head of a repository.
 *
 * @param base           the manifest the new root catalog was built on; publication is refused if
 *                       the repository's head is no longer this manifest (someone else published)
 * @param rootCatalog    the new root catalog, already in the object store; its {@code revision}
 *                       property must be greater than the base's
 * @param tagName        a named tag for the new revision, null for none; a {@code generic-...} name
 *                       is replaced by the publication time in the gateway's millisecond form
 * @param tagDescription description of the named tag ("" if none)
 * @param extraCatalogs  further root catalogs to record in the reflog, e.g. the root catalog a
 *                       gateway publisher uploaded before the gateway merged it
 */
public record Publication(Manifest base, ContentHash rootCatalog, String tagName, String tagDescription,
                          List<ContentHash> extraCatalogs) {
    public Publication {
        Objects.requireNonNull(base, "base manifest");
        Objects.requireNonNull(rootCatalog, "root catalog");
        rootCatalog = rootCatalog.withSuffix(ObjectSuffix.CATALOG);
        tagDescription = tagDescription == null ? "" : tagDescription;
        extraCatalogs = List.copyOf(extraCatalogs);
    }

    public static Publication of(Manifest base, ContentHash rootCatalog, String tagName) {
        return new Publication(base, rootCatalog, tagName, "", List.of());
    }
}
