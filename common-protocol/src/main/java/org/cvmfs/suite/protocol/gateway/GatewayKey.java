package org.cvmfs.suite.protocol.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A gateway key: an id sent in clear in every {@code Authorization} header and a secret used
 * verbatim (no decoding) as the HMAC-SHA1 key. On disk a key is the first line of a
 * {@code *.gw} file: {@code plain_text <id> <secret>}, tokens separated by runs of blanks.
 */
public record GatewayKey(String id, String secret) {
    public static final String KEY_TYPE = "plain_text";

    public GatewayKey {
        requireToken("key id", id);
        requireToken("key secret", secret);
    }

    /** Reads a key file; the message of a refusal names the file. */
    public static GatewayKey readFile(Path file) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("gateway key file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read gateway key file " + file + ": " + e.getMessage(), e);
        }
        return parse(content, file.toString());
    }

    /** Parses key-file content; only the first line counts, as upstream. */
    public static GatewayKey parse(String content, String origin) {
        int eol = content.indexOf('\n');
        String line = (eol < 0 ? content : content.substring(0, eol)).strip();
        String[] tokens = line.isEmpty() ? new String[0] : line.split("[ \t\r]+");
        if (tokens.length != 3) {
            throw new IllegalArgumentException("gateway key file " + origin + ": expected 'plain_text ID SECRET' on the"
                    + " first line, found " + tokens.length + " token(s)");
        }
        if (!KEY_TYPE.equals(tokens[0])) {
            throw new IllegalArgumentException("gateway key file " + origin + ": invalid key type '" + tokens[0]
                    + "' (only plain_text is known)");
        }
        return new GatewayKey(tokens[1], tokens[2]);
    }

    /** The key-file form, for writing a {@code .gw} file. */
    public String toFileContent() {
        return KEY_TYPE + " " + id + " " + secret + "\n";
    }

    @Override
    public String toString() {
        return "GatewayKey[" + id + "]"; // never the secret: keys end up in logs
    }

    private static void requireToken(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new IllegalArgumentException(what + " contains a blank or control character");
            }
        }
    }
}
