package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.PathHash;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.files.AtomicFile;

/**
 * The publisher's part of {@code /var/spool/cvmfs/REPO}. Upstream keeps the lease token in
 * {@code session_token} (mode 0600; its presence means "lease held"), which we keep for tools
 * that look for it; everything else lives below {@code publisher/}: the transaction state, the
 * working tree of the leased subtree (a copy and its snapshot, or an overlay's lower trees, one per
 * recent lease path with its record and snapshot, upper layer and overlay scratch) and the cache of fetched objects.
 *
 * <p>Invariant of the state writes ({@link #save}, {@link #clear}; each file replaced atomically,
 * boundaries named by {@link SpoolStep}): the state never exists without the token file, so on
 * disk there is nothing, a token alone, or a token and a state naming it. A token alone means a
 * lease the gateway granted that no state records yet (killed while a transaction was opened) or
 * a lease already committed or dropped whose clean-up was cut short; either way dropping it
 * (ignoring "invalid lease") and forgetting it is right, which {@code transaction}
 * ({@link TransactionOpener}) and {@code abort} ({@link TransactionAbort}) do. A token and a state
 * are resumed by the state's phase ({@code publish}, {@code abort}, {@code transaction}).
 * {@code SpoolStateCrashTest} kills a {@code cvmfs_server} process at each boundary.
 */
public final class PublisherSpool {
    private final Path spoolDir;

    public PublisherSpool(Path spoolDir) {
        this.spoolDir = spoolDir;
    }

    public Path spoolDir() {
        return spoolDir;
    }

    /** Upstream's token file. */
    public Path sessionTokenFile() {
        return spoolDir.resolve("session_token");
    }

    public Path stateFile() {
        return publisherDir().resolve("transaction.json");
    }

    /** The editable copy of the leased subtree (non-root mode; bind-mounted under /cvmfs as root). */
    public Path workTree() {
        return publisherDir().resolve("work");
    }

    /** The working tree as materialised from the base catalogs: the "before" of the change set. */
    public Path snapshotFile() {
        return publisherDir().resolve("work.snapshot");
    }

    /**
     * The lower trees of overlay transactions, one per lease path a transaction was opened on
     * lately ({@link LowerTree}), each in a directory named by the MD5 of its lease path (as a
     * catalog keys the path): {@code tree}, {@code record}, {@code snapshot}.
     */
    public Path lowerTrees() {
        return publisherDir().resolve("lowers");
    }

    /**
     * The read-only lower layer of an overlay transaction on {@code leasePath}: the leased subtree
     * as of the root catalog {@link #lowerRecordFile} names, kept across transactions.
     */
    public Path lowerTree(RepositoryPath leasePath) {
        return lowerTreeDirectory(leasePath).resolve("tree");
    }

    /** What {@link #lowerTree} holds, or that it is being changed ({@link LowerRecord}). */
    public Path lowerRecordFile(RepositoryPath leasePath) {
        return lowerTreeDirectory(leasePath).resolve("record");
    }

    /** The lower tree as last materialised, for {@link Materializer}'s next incremental run. */
    public Path lowerSnapshotFile(RepositoryPath leasePath) {
        return lowerTreeDirectory(leasePath).resolve("snapshot");
    }

    /** The directory of {@code leasePath}'s lower tree, its record and its snapshot. */
    Path lowerTreeDirectory(RepositoryPath leasePath) {
        return lowerTrees().resolve(HexFormat.of().formatHex(PathHash.md5(leasePath.bytes())));
    }

    /** Where the single lower tree of earlier versions lived (with {@code lower.record} and {@code lower.snapshot}). */
    Path formerLowerTree() {
        return publisherDir().resolve("lower");
    }

    /** Empties an overlay transaction's upper layer and its work directory (after a fold or an abort). */
    void clearOverlayLayers() {
        DirectoryTree.delete(upperTree());
        DirectoryTree.delete(overlayScratch());
    }

    /** The writable upper layer of an overlay transaction: exactly what the transaction changed. */
    public Path upperTree() {
        return publisherDir().resolve("upper");
    }

    /** The overlay's own scratch directory ({@code workdir}), on the file system of the upper layer. */
    public Path overlayScratch() {
        return publisherDir().resolve("overlay-work");
    }

    /** What one publisher command at a time holds ({@link SpoolLock}). */
    public Path lockFile() {
        return publisherDir().resolve("lock");
    }

    /** Local object store of fetched objects, reused across transactions. */
    public Path objectCache() {
        return publisherDir().resolve("cache");
    }

    /** Upstream's temporary directory (the middle field of {@code gw,<tmp>,<url>}). */
    public Path tmpDir() {
        return spoolDir.resolve("tmp");
    }

    public Optional<TransactionState> load() {
        byte[] json;
        try {
            json = Files.readAllBytes(stateFile());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read transaction state " + stateFile(), e);
        }
        try {
            return Optional.of(TransactionState.fromJson(json));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(stateFile() + ": " + e.getMessage()
                    + " (abort -f discards the transaction)", e);
        }
    }

    /** The token of {@code session_token}, if there is one. */
    public Optional<String> loadToken() {
        try {
            return Optional.of(new String(Files.readAllBytes(sessionTokenFile()), StandardCharsets.US_ASCII).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + sessionTokenFile(), e);
        }
    }

    /** Persists the state durably; the token file is written first, as upstream's marker of a held lease. */
    public void save(TransactionState state) {
        try {
            Files.createDirectories(publisherDir());
            Path token = sessionTokenFile();
            if (!Files.isRegularFile(token)
                    || !new String(Files.readAllBytes(token), StandardCharsets.US_ASCII).equals(state.sessionToken())) {
                AtomicFile.replace(token, state.sessionToken().getBytes(StandardCharsets.US_ASCII), AtomicFile.OWNER_ONLY);
            }
            SpoolStep.TOKEN_WRITTEN.reached();
            AtomicFile.replace(stateFile(), state.toJson(), AtomicFile.OWNER_ONLY);
            SpoolStep.STATE_WRITTEN.reached();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save transaction state in " + spoolDir, e);
        }
    }

    /** Forgets the transaction: state first, then the token, so a crash never leaves state without a token. */
    public void clear() {
        try {
            Files.deleteIfExists(stateFile());
            SpoolStep.STATE_REMOVED.reached();
            Files.deleteIfExists(sessionTokenFile());
            SpoolStep.TOKEN_REMOVED.reached();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear transaction state in " + spoolDir, e);
        }
    }

    private Path publisherDir() {
        return spoolDir.resolve("publisher");
    }
}
