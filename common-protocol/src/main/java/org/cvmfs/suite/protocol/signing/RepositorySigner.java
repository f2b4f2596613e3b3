package org.cvmfs.suite.protocol.signing;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.history.Reflog;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.ManifestException;
import org.cvmfs.suite.protocol.manifest.RepositoryKeys;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.store.ObjectStore;

/**
 * The last step of every publication, as upstream's signing tool does it: store the certificate
 * object, record every root-level object in the reflog, then set {@code X}, {@code Y} and
 * {@code T} and sign the manifest. All root-level objects use the root catalog's hash algorithm.
 */
public final class RepositorySigner {
    private final RepositoryKeys keys;
    private final ObjectStore store;
    private final Clock clock;

    public RepositorySigner(RepositoryKeys keys, ObjectStore store, Clock clock) {
        this.keys = keys;
        this.store = store;
        this.clock = clock;
    }

    /**
     * Signs {@code unsigned} and consumes {@code reflog} (it is closed and returned as bytes).
     *
     * @param extraCatalogs further root catalogs to keep in the reflog, e.g. the publisher's own
     *                      root catalog that a gateway merged (so garbage collection sees it)
     */
    public SignedPublication sign(Manifest unsigned, Reflog reflog, List<ContentHash> extraCatalogs) {
        String fqrn = unsigned.repositoryName();
        if (!fqrn.equals(keys.fqrn())) {
            throw new ManifestException("keys of " + keys.fqrn() + " cannot sign the manifest of " + fqrn);
        }
        if (!fqrn.equals(reflog.fqrn())) {
            throw new ManifestException("reflog of " + reflog.fqrn() + " cannot be used for " + fqrn);
        }
        HashAlgorithm algorithm = unsigned.rootCatalog().algorithm();
        Instant now = clock.instant();
        ContentHash certificate = store.putCompressed(keys.certificate().pem(), algorithm, ObjectSuffix.CERTIFICATE);

        reflog.add(unsigned.rootCatalog(), now);
        reflog.add(certificate, now);
        unsigned.historyHash().ifPresent(h -> reflog.add(h, now));
        if (unsigned.metaInfo() != null) {
            reflog.add(unsigned.metaInfo(), now);
        }
        for (ContentHash catalog : extraCatalogs) {
            reflog.add(catalog.withSuffix(ObjectSuffix.CATALOG), now);
        }
        byte[] reflogBytes = reflog.closeAndRead();

        Manifest signedFacts = unsigned.withSigningFacts(certificate, Reflog.digestOf(reflogBytes, algorithm),
                now.getEpochSecond());
        return new SignedPublication(reflogBytes, SignedManifest.sign(signedFacts, keys.privateKey()));
    }
}
