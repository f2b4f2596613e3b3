package org.cvmfs.suite.gateway.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.ZoneId;
import java.util.Map;
import java.util.TreeMap;
import org.cvmfs.suite.gateway.lease.GoFormat;
import org.cvmfs.suite.gateway.lease.Lease;
import org.cvmfs.suite.gateway.repo.Repository;

/**
 * The data replies of the GET routes, shaped as upstream's: struct fields in declaration order,
 * map keys sorted (Go marshals maps that way), empty lease fields left out.
 */
final class ListingReplies {
    private ListingReplies() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"data", "status"})
    record Data(@JsonProperty("data") Object data, @JsonProperty("status") String status) {
        static Data ok(Object data) {
            return new Data(data, "ok");
        }

        /** {@code GET /leases/<token>} answers without a status. */
        static Data bare(Object data) {
            return new Data(data, null);
        }
    }

    @JsonPropertyOrder({"keys", "enabled"})
    record RepositoryInfo(@JsonProperty("keys") Map<String, String> keys, @JsonProperty("enabled") boolean enabled) {
        static RepositoryInfo of(Repository repository, boolean enabled) {
            return new RepositoryInfo(new TreeMap<>(repository.keyPaths()), enabled);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonPropertyOrder({"key_id", "path", "expires", "hostname"})
    record LeaseInfo(@JsonProperty("key_id") String keyId, @JsonProperty("path") String path,
                     @JsonProperty("expires") String expires, @JsonProperty("hostname") String hostname) {
        static LeaseInfo of(Lease lease) {
            return new LeaseInfo(lease.keyId(), lease.path().toWire(),
                    GoFormat.time(lease.expiration(), ZoneId.systemDefault()), lease.hostname());
        }
    }
}
