package org.cvmfs.suite.protocol.manifest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;

/**
 * A key directory such as {@code /etc/cvmfs/keys}, with upstream's file names per repository:
 * {@code <fqrn>.key}, {@code <fqrn>.crt}, {@code <fqrn>.masterkey} and {@code <fqrn>.pub}, and on
 * gateway and publisher hosts the gateway key {@code <fqrn>.gw} (read with {@code GatewayKey.readFile}).
 */
public record KeyDirectory(Path dir) {
    public Path privateKeyFile(String fqrn) {
        return file(fqrn, ".key");
    }

    public Path certificateFile(String fqrn) {
        return file(fqrn, ".crt");
    }

    public Path masterKeyFile(String fqrn) {
        return file(fqrn, ".masterkey");
    }

    public Path masterPublicKeyFile(String fqrn) {
        return file(fqrn, ".pub");
    }

    public Path gatewayKeyFile(String fqrn) {
        return file(fqrn, ".gw");
    }

    public boolean hasRepositoryKeys(String fqrn) {
        return Files.exists(privateKeyFile(fqrn)) && Files.exists(certificateFile(fqrn));
    }

    public void writeRepositoryKeys(RepositoryKeys keys) {
        KeyFiles.writePrivateKey(privateKeyFile(keys.fqrn()), keys.privateKey());
        KeyFiles.writeCertificate(certificateFile(keys.fqrn()), keys.certificate());
    }

    public RepositoryKeys readRepositoryKeys(String fqrn) {
        return new RepositoryKeys(fqrn, KeyFiles.readPrivateKey(privateKeyFile(fqrn)),
                KeyFiles.readCertificate(certificateFile(fqrn)));
    }

    /** Writes {@code <fqrn>.masterkey} (PKCS#1) and {@code <fqrn>.pub} (SubjectPublicKeyInfo). */
    public void writeMasterKey(String fqrn, KeyPair master) {
        KeyFiles.writePrivateKey(masterKeyFile(fqrn), master.getPrivate());
        KeyFiles.writePublicKey(masterPublicKeyFile(fqrn), master.getPublic());
    }

    /** The master key pair, its public half derived from {@code <fqrn>.masterkey} itself. */
    public KeyPair readMasterKey(String fqrn) {
        Path file = masterKeyFile(fqrn);
        return RsaKeyPairs.fromPrivate(KeyFiles.readPrivateKey(file), file.toString());
    }

    public PublicKey readMasterPublicKey(String fqrn) {
        return KeyFiles.readPublicKey(masterPublicKeyFile(fqrn));
    }

    private Path file(String fqrn, String extension) {
        if (fqrn.isEmpty() || fqrn.contains("/") || fqrn.contains("\0") || fqrn.startsWith(".")) {
            throw new IllegalArgumentException("not a repository name: '" + fqrn + "'");
        }
        return dir.resolve(fqrn + extension);
    }
}
