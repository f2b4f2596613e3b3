package org.cvmfs.suite.protocol.manifest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;

/**
 * The envelope shared by {@code .cvmfspublished} and {@code .cvmfswhitelist}: a body of LF
 * terminated lines, the line {@code --}, the digest of the body as text, and raw signature bytes
 * running to the end of the file.
 *
 * @param what      "manifest" or "whitelist", for messages
 * @param body      every byte up to and including the LF before {@code --}
 * @param hashText  the line after {@code --}: digest of the body, hex plus algorithm identifier
 * @param signature everything after the hash line
 */
record SignedText(String what, byte[] body, String hashText, byte[] signature) {
    private static final byte[] SEPARATOR = "\n--\n".getBytes(StandardCharsets.US_ASCII);

    /** Splits at the first LF {@code --} LF, as upstream's readers do. */
    static SignedText split(byte[] file, String what, int maxBytes) {
        if (file.length > maxBytes) {
            throw new ManifestException(what + " is " + file.length + " bytes, more than the " + maxBytes + " allowed");
        }
        int at = indexOf(file, SEPARATOR, 0);
        if (at < 0) {
            throw new ManifestException(what + " has no signature block (no line '--')");
        }
        int hashStart = at + SEPARATOR.length;
        int hashEnd = indexOf(file, new byte[] {'\n'}, hashStart);
        if (hashEnd < 0) {
            throw new ManifestException(what + " hash line after '--' is not terminated by LF");
        }
        byte[] signature = Arrays.copyOfRange(file, hashEnd + 1, file.length);
        if (signature.length == 0) {
            throw new ManifestException(what + " has no signature after its hash line");
        }
        return new SignedText(what, Arrays.copyOf(file, at + 1),
                new String(file, hashStart, hashEnd - hashStart, StandardCharsets.ISO_8859_1), signature);
    }

    /** Builds the envelope: hashes the body with {@code algorithm} and signs the hash text. */
    static SignedText assemble(String what, byte[] body, HashAlgorithm algorithm, TextSigner signer) {
        String hashText = ContentHash.compute(algorithm, body, ObjectSuffix.NONE).toText();
        return new SignedText(what, body.clone(), hashText, signer.sign(hashText.getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * Checks that the body hashes to the hash line, with the algorithm the line's length implies.
     * Only after this does a signature over the hash text say anything about the body.
     */
    void verifyBodyDigest() {
        ContentHash claimed;
        try {
            claimed = ContentHash.parse(hashText, ObjectSuffix.NONE);
        } catch (IllegalArgumentException e) {
            throw new ManifestException(what + " hash line is not a content hash: '" + abbreviate(hashText) + "'");
        }
        if (!claimed.matches(body)) {
            throw new ManifestException(what + " body digest mismatch: the body hashes to "
                    + ContentHash.compute(claimed.algorithm(), body, ObjectSuffix.NONE).toText()
                    + ", the hash line says " + hashText);
        }
    }

    byte[] hashTextBytes() {
        return hashText.getBytes(StandardCharsets.ISO_8859_1);
    }

    byte[] toBytes() {
        byte[] hashLine = (hashText + "\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[body.length + 3 + hashLine.length + signature.length];
        System.arraycopy(body, 0, out, 0, body.length);
        System.arraycopy(SEPARATOR, 1, out, body.length, 3);
        System.arraycopy(hashLine, 0, out, body.length + 3, hashLine.length);
        System.arraycopy(signature, 0, out, body.length + 3 + hashLine.length, signature.length);
        return out;
    }

    /** Signs the ASCII hash text; one implementation per signature scheme. */
    interface TextSigner {
        byte[] sign(byte[] hashText);
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
