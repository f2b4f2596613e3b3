package org.cvmfs.suite.protocol.manifest;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Set;

/**
 * Reading and writing single PEM key and certificate files. Private keys are written PKCS#1 with
 * mode 0400, public keys and certificates with 0444, as upstream mkfs leaves them; on file systems
 * without POSIX permissions the modes are skipped.
 */
public final class KeyFiles {
    public static final Set<PosixFilePermission> PRIVATE_MODE = PosixFilePermissions.fromString("r--------");
    public static final Set<PosixFilePermission> PUBLIC_MODE = PosixFilePermissions.fromString("r--r--r--");
    /** No key file is anywhere near this; a bigger file is not what we are looking for. */
    private static final long MAX_BYTES = 1024 * 1024;

    private KeyFiles() {
    }

    /** A PKCS#1 ({@code RSA PRIVATE KEY}) or PKCS#8 ({@code PRIVATE KEY}) unencrypted RSA key. */
    public static PrivateKey readPrivateKey(Path file) {
        return Pem.decodePrivateKey(read(file), file.toString());
    }

    /** A SubjectPublicKeyInfo ({@code PUBLIC KEY}) RSA key, the form clients are given. */
    public static PublicKey readPublicKey(Path file) {
        return Pem.decodePublicKey(read(file), file.toString());
    }

    public static RepositoryCertificate readCertificate(Path file) {
        try {
            return RepositoryCertificate.parsePem(read(file));
        } catch (ManifestException e) {
            throw new ManifestException(file + ": " + e.getMessage(), e);
        }
    }

    public static void writePrivateKey(Path file, PrivateKey key) {
        write(file, Pem.encodeRsaPrivateKey(key), PRIVATE_MODE);
    }

    public static void writePublicKey(Path file, PublicKey key) {
        write(file, Pem.encodePublicKey(key), PUBLIC_MODE);
    }

    public static void writeCertificate(Path file, RepositoryCertificate certificate) {
        write(file, certificate.pem(), PUBLIC_MODE);
    }

    private static byte[] read(Path file) {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new ManifestException(file + " is larger than " + MAX_BYTES + " bytes, not a key file");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Never replaces an existing file: a key overwritten by mistake cannot be recovered. The bytes
     * go to a temporary file that is private from its creation and then linked into place.
     */
    private static void write(Path file, byte[] content, Set<PosixFilePermission> mode) {
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null;
        Path tmp = null;
        try {
            if (Files.exists(file)) {
                throw new FileAlreadyExistsException(file.toString());
            }
            tmp = posix
                    ? Files.createTempFile(dir, ".key.", ".tmp", PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(dir, ".key.", ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(content);
            }
            if (posix) {
                Files.setPosixFilePermissions(tmp, mode);
            }
            try {
                Files.createLink(file, tmp);
            } catch (UnsupportedOperationException noLinks) {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover hidden temporary file is harmless
                }
            }
        }
    }
}
