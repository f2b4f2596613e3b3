package org.cvmfs.suite.server.publish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;

/**
 * A publisher's open transaction as persisted in the spool, so that {@code publish} and
 * {@code abort} can always finish what an interrupted process started.
 *
 * @param repository   the repository name
 * @param leasePath    the leased subtree (the root for a whole-repository lease)
 * @param sessionToken the gateway's lease token
 * @param baseRootCatalog root catalog of the head the transaction started from ({@code old_root_hash})
 * @param baseRevision revision of that head
 * @param phase        how far the transaction got
 * @param newRootCatalog the root catalog sent for commit, present from {@link Phase#COMMITTING} on
 * @param startedAt    when the lease was acquired
 * @param workTree     how the subtree is edited; {@link WorkTree#COPY} until the transaction is open
 */
public record TransactionState(String repository, RepositoryPath leasePath, String sessionToken,
                               ContentHash baseRootCatalog, long baseRevision, Phase phase,
                               Optional<ContentHash> newRootCatalog, Instant startedAt, WorkTree workTree) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How the leased subtree is edited: a copy in the spool (bind-mounted as root where permitted),
     * or an overlay of the spool's cached lower tree whose upper layer is the change set.
     */
    public enum WorkTree {
        COPY,
        OVERLAY
    }

    public enum Phase {
        /** The lease is held; the working tree is not (completely) materialised yet. */
        LEASED,
        /** The working tree holds the base content and may be edited. */
        OPEN,
        /** Content and catalogs are being processed and uploaded. */
        PUBLISHING,
        /** The commit request was (or is about to be) sent; its outcome is unknown until answered. */
        COMMITTING
    }

    public TransactionState {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(leasePath, "lease path");
        Objects.requireNonNull(sessionToken, "session token");
        Objects.requireNonNull(baseRootCatalog, "base root catalog");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(newRootCatalog, "new root catalog");
        Objects.requireNonNull(startedAt, "start time");
        Objects.requireNonNull(workTree, "work tree");
        if (repository.isEmpty()) {
            throw new IllegalArgumentException("transaction state: repository is empty");
        }
        if (sessionToken.isEmpty() || sessionToken.chars().anyMatch(c -> c <= ' ' || c == '/' || c > '~')) {
            throw new IllegalArgumentException("transaction state: session token '" + sessionToken
                    + "' is not a token the gateway hands out");
        }
        if (baseRootCatalog.suffix() != ObjectSuffix.CATALOG) {
            throw new IllegalArgumentException("transaction state: base root catalog " + baseRootCatalog + " lacks suffix C");
        }
        if (baseRevision < 0) {
            throw new IllegalArgumentException("transaction state: base revision " + baseRevision + " is negative");
        }
        if (newRootCatalog.isPresent() != (phase == Phase.COMMITTING)) {
            throw new IllegalArgumentException("transaction state: a new root catalog belongs to phase COMMITTING only, got "
                    + phase + " with " + newRootCatalog.map(ContentHash::toString).orElse("none"));
        }
        newRootCatalog.ifPresent(h -> {
            if (h.suffix() != ObjectSuffix.CATALOG) {
                throw new IllegalArgumentException("transaction state: new root catalog " + h + " lacks suffix C");
            }
        });
    }

    public static TransactionState leased(String repository, RepositoryPath leasePath, String token,
                                          ContentHash baseRootCatalog, long baseRevision, Instant now) {
        return new TransactionState(repository, leasePath, token, baseRootCatalog, baseRevision, Phase.LEASED,
                Optional.empty(), now, WorkTree.COPY);
    }

    /** The transaction open for editing, in {@code tree}. */
    public TransactionState opened(WorkTree tree) {
        return new TransactionState(repository, leasePath, sessionToken, baseRootCatalog, baseRevision, Phase.OPEN,
                Optional.empty(), startedAt, tree);
    }

    public TransactionState withPhase(Phase next) {
        if (next == Phase.COMMITTING) {
            throw new IllegalArgumentException("use committing(newRoot) to enter phase COMMITTING");
        }
        return new TransactionState(repository, leasePath, sessionToken, baseRootCatalog, baseRevision, next,
                Optional.empty(), startedAt, workTree);
    }

    public TransactionState committing(ContentHash newRoot) {
        return new TransactionState(repository, leasePath, sessionToken, baseRootCatalog, baseRevision,
                Phase.COMMITTING, Optional.of(newRoot), startedAt, workTree);
    }

    public byte[] toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("repository", repository);
        o.put("lease_path", leasePath.toString());
        o.put("session_token", sessionToken);
        o.put("base_root_catalog", baseRootCatalog.toSuffixedText());
        o.put("base_revision", baseRevision);
        o.put("phase", phase.name());
        newRootCatalog.ifPresent(h -> o.put("new_root_catalog", h.toSuffixedText()));
        o.put("started_at", startedAt.toString());
        o.put("work_tree", workTree.name().toLowerCase(java.util.Locale.ROOT));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode transaction state", e);
        }
    }

    /** Parses the spool file; every refusal names the field and the value. */
    public static TransactionState fromJson(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("transaction state is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("transaction state is not a JSON object: "
                    + new String(json, StandardCharsets.UTF_8));
        }
        String phaseText = text(root, "phase");
        Phase phase;
        try {
            phase = Phase.valueOf(phaseText);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("transaction state: phase '" + phaseText + "' is unknown");
        }
        JsonNode revision = root.get("base_revision");
        if (revision == null || !revision.canConvertToLong() || !revision.isIntegralNumber()) {
            throw new IllegalArgumentException("transaction state: base_revision '" + revision + "' is not an integer");
        }
        Optional<ContentHash> newRoot = root.has("new_root_catalog")
                ? Optional.of(hash(text(root, "new_root_catalog"), "new_root_catalog")) : Optional.empty();
        Instant started;
        try {
            started = Instant.parse(text(root, "started_at"));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("transaction state: started_at '" + text(root, "started_at")
                    + "' is not an ISO-8601 instant");
        }
        // states written before overlay transactions existed name no work tree: theirs is a copy
        WorkTree tree = WorkTree.COPY;
        if (root.has("work_tree")) {
            String treeText = text(root, "work_tree");
            try {
                tree = WorkTree.valueOf(treeText.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("transaction state: work_tree '" + treeText + "' is unknown");
            }
        }
        return new TransactionState(text(root, "repository"), RepositoryPath.of(text(root, "lease_path")),
                text(root, "session_token"), hash(text(root, "base_root_catalog"), "base_root_catalog"),
                revision.asLong(), phase, newRoot, started, tree);
    }

    private static String text(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual()) {
            throw new IllegalArgumentException("transaction state: field " + field + " is missing or not a string: " + n);
        }
        return n.asText();
    }

    private static ContentHash hash(String text, String field) {
        try {
            return ContentHash.parseSuffixed(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("transaction state: " + field + " '" + text + "' is not a hash");
        }
    }
}
