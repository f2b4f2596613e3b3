package org.cvmfs.suite.protocol.pack;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import org.cvmfs.suite.protocol.hash.ContentHash;

/**
 * One index line of an object pack: {@code C <hash> <size>} for a content-addressed object, or
 * {@code N <hash> <size> <base64url(name)>} for a named one. The hash carries its type suffix.
 *
 * @param name null for content-addressed entries
 */
public record PackEntry(ContentHash hash, long size, String name) {
    public PackEntry {
        Objects.requireNonNull(hash, "hash");
        if (size < 0) {
            throw new IllegalArgumentException("object size must not be negative, got " + size);
        }
        if (name != null && name.isEmpty()) {
            throw new IllegalArgumentException("a named pack entry needs a non-empty name");
        }
    }

    public static PackEntry cas(ContentHash hash, long size) {
        return new PackEntry(hash, size, null);
    }

    public boolean isNamed() {
        return name != null;
    }

    String toIndexLine() {
        String line = (isNamed() ? "N " : "C ") + hash.toSuffixedText() + " " + size;
        if (isNamed()) {
            line += " " + Base64.getUrlEncoder().encodeToString(name.getBytes(StandardCharsets.UTF_8));
        }
        return line + "\n";
    }
}
