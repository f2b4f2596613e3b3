package org.cvmfs.suite.protocol.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.charset.StandardCharsets;
import org.cvmfs.suite.protocol.hash.ContentHash;

/**
 * Body of {@code POST /api/v1/leases/<token>} (compact JSON, in this field order). Hashes are in
 * suffixed form ({@code <hex>C}). The body is not covered by the HMAC; missing strings decode as
 * empty, as in upstream's Go decoder.
 *
 * @param tagChannel sent as 0 for backward compatibility and ignored
 */
@JsonPropertyOrder({"old_root_hash", "new_root_hash", "tag_name", "tag_channel", "tag_description"})
public record CommitRequest(
        @JsonProperty("old_root_hash") String oldRootHash,
        @JsonProperty("new_root_hash") String newRootHash,
        @JsonProperty("tag_name") String tagName,
        @JsonProperty("tag_channel") int tagChannel,
        @JsonProperty("tag_description") String tagDescription) {

    public CommitRequest {
        oldRootHash = oldRootHash == null ? "" : oldRootHash;
        newRootHash = newRootHash == null ? "" : newRootHash;
        tagName = tagName == null ? "" : tagName;
        tagDescription = tagDescription == null ? "" : tagDescription;
    }

    public static CommitRequest of(ContentHash oldRoot, ContentHash newRoot, String tagName, String tagDescription) {
        return new CommitRequest(oldRoot.toSuffixedText(), newRoot.toSuffixedText(), tagName, 0, tagDescription);
    }

    public static CommitRequest parse(byte[] body) {
        return GatewayJson.read(body, CommitRequest.class);
    }

    public byte[] toWireBytes() {
        return GatewayJson.write(this);
    }

    public String toWire() {
        return new String(toWireBytes(), StandardCharsets.UTF_8);
    }
}
