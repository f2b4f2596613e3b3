package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.gateway.GatewayException;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.ingest.Compression;
import org.cvmfs.suite.protocol.ingest.ContentProcessor;
import org.cvmfs.suite.protocol.ingest.DeflateLibrary;
import org.cvmfs.suite.protocol.ingest.IngestSettings;
import org.cvmfs.suite.protocol.pack.ObjectPackWriter;
import org.cvmfs.suite.protocol.pack.PackHeader;
import org.cvmfs.suite.protocol.store.ObjectStore;

/**
 * The upload of one publication under one lease: new content goes from the
 * {@link #processor()} into object packs sent while processing goes on; the catalog commit
 * writes into {@link #catalogStore()}, whose objects {@link #finish()} sends last, catalogs in
 * packs of their own as upstream's publisher sends them from its second uploader, and are then
 * kept in the spool's object cache (see {@link #keepCatalogs()}). Scratch space
 * lives below the spool's {@code tmp} ({@code outgoing}, {@code packs}, {@code staging}); what a
 * killed attempt left there is discarded when the next one starts, never reused, since what is
 * published is computed again.
 */
final class PayloadUpload implements AutoCloseable {
    /**
     * Packs of new content are sent at 8 MiB rather than upstream's 200 MiB, so that the upload
     * (and the gateway's verification) overlaps processing from the first seconds of a
     * publication instead of starting when a whole small-files publication has been compressed;
     * two full packs may wait while one is sent.
     */
    static final long DATA_PACK_BYTES = 8L << 20;
    private static final int DATA_PACKS_QUEUED = 2;

    private final PublisherContext context;
    private final String token;
    private final Path outgoing;
    private final PackUploader data;
    private final ContentProcessor processor;

    PayloadUpload(PublisherContext context, String token) {
        this.context = context;
        this.token = token;
        for (String dir : List.of("outgoing", "packs", "staging")) {
            DirectoryTree.delete(context.tmp(dir));
        }
        this.outgoing = context.tmp("outgoing");
        this.data = new PackUploader(this::submit, context.tmp("packs"), DATA_PACK_BYTES, PackHeader.MAX_OBJECTS,
                DATA_PACKS_QUEUED);
        IngestSettings ingest = context.settings().ingest();
        if (ingest.compression() == Compression.ZLIB && !ingest.deflateLibrary().availableHere()) {
            context.warn(DeflateLibrary.CONFIG_KEY + "=" + ingest.deflateLibrary().configName()
                    + ", but libdeflate is not bound here (no libdeflate.so.0, or no JNI library of the suite's"
                    + " build): compressing with zlib");
        }
        this.processor = new ContentProcessor(ingest, data, context.settings().threads(), context.tmp("staging"));
    }

    /** Compresses and hashes new content; what it produces is uploaded in the background. */
    ContentProcessor processor() {
        return processor;
    }

    /** Where the catalog commit stores the new catalogs (and the empty object of catalog markers). */
    ObjectStore catalogStore() {
        return new ObjectStore(outgoing);
    }

    /**
     * Sends what is still waiting: the objects the catalog commit stored besides catalogs join
     * the file data; then the catalogs follow in packs of their own. Returns the bytes uploaded.
     */
    long finish() {
        uploadStore(data, hash -> hash.suffix() != ObjectSuffix.CATALOG);
        data.finish();
        try (PackUploader catalogs = new PackUploader(this::submit, context.tmp("packs"))) {
            uploadStore(catalogs, hash -> hash.suffix() == ObjectSuffix.CATALOG);
            catalogs.finish();
            keepCatalogs();
            return data.uploadedBytes() + catalogs.uploadedBytes();
        }
    }

    /**
     * The catalogs just uploaded go into the object cache: the gateway stores a nested catalog
     * the publisher rewrote as it is, so the next transaction on this host finds it there. Only
     * after the upload succeeded, so that the cache holds nothing the Stratum-0 lacks.
     */
    private void keepCatalogs() {
        ObjectCache cache = context.cache();
        forEachStored(hash -> hash.suffix() == ObjectSuffix.CATALOG, (hash, file) -> {
            try (InputStream in = Files.newInputStream(file)) {
                cache.keep(hash, in, Files.size(file));
            }
        });
    }

    private void submit(ObjectPackWriter pack) {
        GatewayReply reply = context.gateway().submitPayload(token, pack);
        if (!reply.isOk()) {
            throw new GatewayException("gateway refused an object pack of " + pack.objectCount() + " objects: "
                    + reply.status() + (reply.reason() == null ? "" : " (" + reply.reason() + ")"));
        }
    }

    /** Uploads the objects of {@link #catalogStore()} that {@code wanted} selects. */
    private void uploadStore(PackUploader uploader, Predicate<ContentHash> wanted) {
        forEachStored(wanted, uploader::accept);
    }

    private interface StoredObjectAction {
        void accept(ContentHash hash, Path file) throws IOException;
    }

    /** Visits the objects of {@link #catalogStore()} that {@code wanted} selects. */
    private void forEachStored(Predicate<ContentHash> wanted, StoredObjectAction action) {
        Path dataDir = outgoing.resolve("data");
        if (!Files.isDirectory(dataDir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path rel = dataDir.relativize(f);
                if (rel.getNameCount() != 2 || rel.getName(0).toString().equals("txn")) {
                    continue;
                }
                ContentHash hash = ContentHash.parseSuffixed(rel.getName(0).toString() + rel.getName(1));
                if (wanted.test(hash)) {
                    action.accept(hash, f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the catalogs to upload from " + outgoing, e);
        }
    }

    @Override
    public void close() {
        try (PackUploader d = data) {
            processor.close();
        } finally {
            DirectoryTree.delete(outgoing);
        }
    }
}
