package org.cvmfs.suite.protocol.repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import org.cvmfs.suite.protocol.files.AtomicFile;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.manifest.KeyDirectory;
import org.cvmfs.suite.protocol.manifest.KeyFiles;
import org.cvmfs.suite.protocol.manifest.ManifestException;
import org.cvmfs.suite.protocol.manifest.RepositoryCertificate;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.manifest.SignedWhitelist;
import org.cvmfs.suite.protocol.manifest.Whitelist;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.Zlib;

/**
 * {@code cvmfs_server resign}: a fresh {@code .cvmfswhitelist} listing the repository certificate,
 * signed with the master key. Whitelists expire (30 days by default), so a Stratum-0 needs this
 * on a schedule; {@link #resignIfDue} is what a scheduler calls. Refuses to sign a whitelist that
 * would not make the served manifest verifiable: the certificate must be the one the manifest
 * names, and the master key must match the public key clients hold.
 */
public final class WhitelistResigner {
    private static final long MAX_CERTIFICATE_BYTES = 256 * 1024;

    private final Clock clock;

    public WhitelistResigner(Clock clock) {
        this.clock = clock;
    }

    public SignedWhitelist resign(RepositoryLayout layout) {
        return resign(layout, Whitelist.DEFAULT_VALIDITY);
    }

    public SignedWhitelist resign(RepositoryLayout layout, Duration validity) {
        if (validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("whitelist validity must be positive, got " + validity);
        }
        HashAlgorithm algorithm = ServerConfig.read(layout).hashAlgorithm();
        KeyDirectory keys = layout.keyDirectory();
        String fqrn = layout.fqrn();
        KeyPair master = keys.readMasterKey(fqrn);
        if (!keys.readMasterPublicKey(fqrn).equals(master.getPublic())) {
            throw new RepositoryException(keys.masterPublicKeyFile(fqrn) + " is not the public half of "
                    + keys.masterKeyFile(fqrn) + ": clients could not verify the whitelist");
        }
        RepositoryCertificate certificate = KeyFiles.readCertificate(keys.certificateFile(fqrn));
        try (RepositoryLock lock = RepositoryLock.acquire(layout)) {
            requireServedCertificate(layout, certificate);
            return write(layout, certificate, master, algorithm, validity);
        }
    }

    /**
     * Re-signs if the served whitelist is missing, unreadable, or expires within {@code margin};
     * returns the new whitelist, or empty if the current one is good for longer.
     */
    public Optional<SignedWhitelist> resignIfDue(RepositoryLayout layout, Duration margin) {
        try {
            Whitelist current = SignedWhitelist.parse(Files.readAllBytes(layout.whitelist())).whitelist();
            if (!current.isExpired(Clock.offset(clock, margin))) {
                return Optional.empty();
            }
        } catch (NoSuchFileException | ManifestException e) {
            // missing or damaged: signing a new one is exactly the remedy
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + layout.whitelist(), e);
        }
        return Optional.of(resign(layout));
    }

    /** mkfs's first whitelist, before a manifest that names the certificate exists. */
    SignedWhitelist sign(RepositoryLayout layout, RepositoryCertificate certificate, KeyPair master,
                         HashAlgorithm algorithm) {
        try (RepositoryLock lock = RepositoryLock.acquire(layout)) {
            return write(layout, certificate, master, algorithm, Whitelist.DEFAULT_VALIDITY);
        }
    }

    private SignedWhitelist write(RepositoryLayout layout, RepositoryCertificate certificate, KeyPair master,
                                  HashAlgorithm algorithm, Duration validity) {
        Whitelist whitelist = Whitelist.create(layout.fqrn(), certificate, clock, validity);
        SignedWhitelist signed = SignedWhitelist.sign(whitelist, master.getPrivate(), algorithm);
        AtomicFile.replace(layout.whitelist(), signed.toBytes());
        return signed;
    }

    private static void requireServedCertificate(RepositoryLayout layout, RepositoryCertificate certificate) {
        SignedManifest served;
        try {
            served = SignedManifest.parse(Files.readAllBytes(layout.manifest()));
        } catch (NoSuchFileException e) {
            throw new RepositoryException("repository " + layout.fqrn() + " serves no manifest at " + layout.manifest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + layout.manifest(), e);
        } catch (ManifestException e) {
            throw new RepositoryException("served manifest of " + layout.fqrn() + " is unreadable: " + e.getMessage(), e);
        }
        if (served.manifest().certificate() == null) {
            throw new RepositoryException("served manifest of " + layout.fqrn() + " names no certificate (X)");
        }
        RepositoryCertificate named;
        try {
            byte[] stored = new ObjectStore(layout.servedRoot()).readStored(served.manifest().certificate());
            named = RepositoryCertificate.parsePem(Zlib.inflate(stored, MAX_CERTIFICATE_BYTES));
        } catch (RuntimeException e) {
            throw new RepositoryException("certificate " + served.manifest().certificate()
                    + " named by the served manifest: " + e.getMessage(), e);
        }
        try {
            if (!Arrays.equals(named.x509().getEncoded(), certificate.x509().getEncoded())) {
                throw new RepositoryException("the served manifest is signed with certificate " + named
                        + ", not with " + layout.keyDirectory().certificateFile(layout.fqrn()) + " (" + certificate
                        + "); a whitelist for the latter would not make the repository verifiable");
            }
        } catch (CertificateEncodingException e) {
            throw new RepositoryException("cannot encode certificate: " + e.getMessage(), e);
        }
    }
}
