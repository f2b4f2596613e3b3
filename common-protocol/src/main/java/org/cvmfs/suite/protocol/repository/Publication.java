package org.cvmfs.suite.protocol.repository;

import java.util.List;
import java.util.Objects;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.manifest.Manifest;

/**
 * A request to make a new root catalog the published head of a repository.
 *
 * @param base           the manifest the new root catalog was built on; publication is refused if
 *                       the repository's head is no longer this manifest (someone else published)
 * @param root           the new root catalog as its commit stored it (the facts the manifest and
 *                       the history need, so that they are not read back from the store); its
 *                       revision must be greater than the base's
 * @param tagName        a named tag for the new revision, null for none; a {@code generic-...} name
 *                       is replaced by the publication time in the gateway's millisecond form
 * @param tagDescription description of the named tag ("" if none)
 * @param extraCatalogs  further root catalogs to record in the reflog, e.g. the root catalog a
 *                       gateway publisher uploaded before the gateway merged it
 */
public record Publication(Manifest base, CatalogCommit root, String tagName, String tagDescription,
                          List<ContentHash> extraCatalogs) {
    public Publication {
        Objects.requireNonNull(base, "base manifest");
        Objects.requireNonNull(root, "root catalog");
        tagDescription = tagDescription == null ? "" : tagDescription;
        extraCatalogs = List.copyOf(extraCatalogs);
    }

    public static Publication of(Manifest base, CatalogCommit root, String tagName) {
        return new Publication(base, root, tagName, "", List.of());
    }

    /** The new root catalog's hash, suffix C. */
    public ContentHash rootCatalog() {
        return root.rootHash().withSuffix(ObjectSuffix.CATALOG);
    }
}
