package org.cvmfs.suite.gateway.lease;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.cvmfs.suite.protocol.pack.PackSummary;

/**
 * What a lease's payloads added to the repository, summed over its payloads; handed to the
 * commit (upstream's receiver stores it in the repository's statistics). Field names are the
 * receiver's.
 */
@JsonPropertyOrder({"n_chunks_added", "n_chunks_duplicated", "n_catalogs_added", "sz_uploaded_bytes",
        "sz_uploaded_catalog_bytes"})
public record PublishStatistics(
        @JsonProperty("n_chunks_added") long chunksAdded,
        @JsonProperty("n_chunks_duplicated") long chunksDuplicated,
        @JsonProperty("n_catalogs_added") long catalogsAdded,
        @JsonProperty("sz_uploaded_bytes") long uploadedBytes,
        @JsonProperty("sz_uploaded_catalog_bytes") long uploadedCatalogBytes) {

    public static final PublishStatistics NONE = new PublishStatistics(0, 0, 0, 0, 0);

    public static PublishStatistics of(PackSummary pack) {
        return new PublishStatistics(pack.objectsAdded(), pack.objectsDuplicated(), pack.catalogsAdded(),
                pack.bytesAdded(), pack.catalogBytesAdded());
    }

    public PublishStatistics plus(PublishStatistics o) {
        return new PublishStatistics(chunksAdded + o.chunksAdded, chunksDuplicated + o.chunksDuplicated,
                catalogsAdded + o.catalogsAdded, uploadedBytes + o.uploadedBytes,
                uploadedCatalogBytes + o.uploadedCatalogBytes);
    }
}
