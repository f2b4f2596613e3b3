package org.cvmfs.suite.gateway.lease;

import java.security.SecureRandom;

/**
 * Lease tokens in upstream's format: 32 random bytes in RFC 4648 base32 with padding, 56
 * characters ending in {@code ====}, safe in a URL path. Unlike upstream, the bytes come from a
 * cryptographic generator: whoever knows a token (and any valid key) can commit to the lease.
 */
public final class LeaseToken {
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private LeaseToken() {
    }

    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return base32(bytes);
    }

    static String base32(byte[] data) {
        StringBuilder out = new StringBuilder((data.length + 4) / 5 * 8);
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
        }
        while (out.length() % 8 != 0) {
            out.append('=');
        }
        return out.toString();
    }
}
