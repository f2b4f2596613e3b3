package org.cvmfs.suite.protocol.manifest;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;

/**
 * The whole {@code .cvmfswhitelist}: the body, {@code --}, the digest of the body, and the
 * master key's PKCS#1 type-1 signature over that digest's text.
 */
public final class SignedWhitelist {
    public static final int MAX_BYTES = 64 * 1024;
    private static final String WHAT = "whitelist";

    private final Whitelist whitelist;
    private final SignedText text;

    private SignedWhitelist(Whitelist whitelist, SignedText text) {
        this.whitelist = whitelist;
        this.text = text;
    }

    /** Parses the file without verifying anything; see {@link #verify(List)}. */
    public static SignedWhitelist parse(byte[] file) {
        SignedText text = SignedText.split(file, WHAT, MAX_BYTES);
        return new SignedWhitelist(Whitelist.parseBody(text.body()), text);
    }

    /** Signs with the master key; {@code algorithm} is the repository hash algorithm, used for the digest line. */
    public static SignedWhitelist sign(Whitelist whitelist, PrivateKey masterKey, HashAlgorithm algorithm) {
        SignedText text = SignedText.assemble(WHAT, whitelist.exportBody(), algorithm,
                hash -> RsaScheme.RAW_PKCS1.sign(masterKey, hash));
        return new SignedWhitelist(whitelist, text);
    }

    /**
     * Checks the body digest and that at least one of the master public keys made the signature
     * (clients may trust several keys, e.g. a domain key and a repository key). Expiry, name and
     * listed certificate are checked separately on {@link #whitelist()}.
     */
    public void verify(List<PublicKey> masterKeys) {
        if (masterKeys.isEmpty()) {
            throw new ManifestException("no master public key to verify the whitelist of " + whitelist.repositoryName());
        }
        text.verifyBodyDigest();
        List<String> failures = new ArrayList<>();
        for (PublicKey key : masterKeys) {
            String failure = RsaScheme.RAW_PKCS1.failure(key, text.hashTextBytes(), text.signature());
            if (failure == null) {
                return;
            }
            failures.add(failure);
        }
        throw new ManifestException("whitelist signature of " + whitelist.repositoryName()
                + " does not verify with any of the " + masterKeys.size() + " master public key(s): " + failures);
    }

    public Whitelist whitelist() {
        return whitelist;
    }

    public String bodyHashText() {
        return text.hashText();
    }

    /** The exact bytes of {@code .cvmfswhitelist}. */
    public byte[] toBytes() {
        return text.toBytes();
    }
}
