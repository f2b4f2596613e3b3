package org.cvmfs.suite.notify.service;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.cvmfs.suite.notify.config.NotifySettings;
import org.cvmfs.suite.notify.service.PublicationRefusedException.Cause;
import org.cvmfs.suite.protocol.manifest.KeyDirectory;
import org.cvmfs.suite.protocol.manifest.ManifestException;
import org.cvmfs.suite.protocol.manifest.RepositoryCertificate;
import org.cvmfs.suite.protocol.manifest.SignedManifest;

/**
 * Verifies manifests of the repositories whose certificate is at hand:
 * {@code <keys_dir>/<repo>.crt}, where {@code cvmfs_server mkfs} leaves it on the gateway host.
 * Repositories without one are not checked (as upstream, which checks none); subscribers verify
 * end to end anyway. The file is read at each check, so a new certificate takes effect at once.
 * Whether the certificate is whitelisted stays the clients' business.
 */
@Singleton
public final class CertificateSignatureCheck implements ManifestSignatureCheck {
    private final KeyDirectory keys;

    @Inject
    public CertificateSignatureCheck(NotifySettings settings) {
        this(settings.resolvedKeysDir());
    }

    public CertificateSignatureCheck(Path keysDir) {
        this.keys = new KeyDirectory(keysDir);
    }

    @Override
    public void check(String repository, byte[] manifestFile) {
        Path file = keys.certificateFile(repository);
        byte[] pem;
        try {
            pem = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the certificate " + file, e);
        }
        try {
            SignedManifest.parse(manifestFile).verify(RepositoryCertificate.parsePem(pem));
        } catch (ManifestException e) {
            throw new PublicationRefusedException(Cause.FORGED, "the manifest of " + repository
                    + " is not signed by the certificate " + file + ": " + e.getMessage());
        }
    }
}
