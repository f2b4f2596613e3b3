package org.cvmfs.suite.protocol.notify;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;

/**
 * A repository activity message: the latest signed manifest ({@code .cvmfspublished} bytes) of
 * a repository, as publishers post it and subscribers receive it.
 *
 * @param version    protocol version; the C++ parser requires an integer and nobody checks its value
 * @param timestamp  free text, {@code D Mon YYYY HH:MM:SS} when written by the C++ publisher; never parsed
 * @param repository fully qualified repository name, the routing key
 * @param manifest   the raw bytes of {@code .cvmfspublished}, signature block included
 */
public record ActivityMessage(int version, String timestamp, String repository, byte[] manifest) {
    public static final int PROTOCOL_VERSION = 1;
    public static final String TYPE = "activity";

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("d MMM uuuu HH:mm:ss", Locale.ENGLISH);

    /**
     * The canonical form has no escaping (the C++ writer concatenates strings), so text fields
     * must not hold characters JSON would need to escape.
     */
    public ActivityMessage {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(manifest, "manifest");
        requireVerbatim("timestamp", timestamp);
        requireVerbatim("repository", repository);
        manifest = manifest.clone();
    }

    /** A message stamped like the C++ publisher stamps it (local wall time of {@code now}). */
    public static ActivityMessage of(String repository, byte[] manifest, ZonedDateTime now) {
        return new ActivityMessage(PROTOCOL_VERSION, TIMESTAMP.format(now), repository, manifest);
    }

    public String type() {
        return TYPE;
    }

    @Override
    public byte[] manifest() {
        return manifest.clone();
    }

    /** The bytes the C++ publisher posts: fixed key order and spacing, one line. */
    public byte[] toJson() {
        String json = "{ \"version\" : " + version
                + ", \"timestamp\" : \"" + timestamp
                + "\", \"type\" : \"" + TYPE
                + "\", \"repository\" : \"" + repository
                + "\", \"manifest\" : \"" + Base64.getEncoder().encodeToString(manifest) + "\"}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses a message with the C++ subscriber's rules: all five fields mandatory with their JSON
     * types, {@code type} must be {@code activity}, the manifest must be standard Base64 whose
     * length is a multiple of four. Unknown fields are ignored.
     */
    public static ActivityMessage parse(byte[] json) {
        JsonFields f = JsonFields.read(json, "activity message");
        int version = f.requireInt("version");
        String timestamp = f.requireString("timestamp");
        String type = f.requireString("type");
        if (!TYPE.equals(type)) {
            throw new NotifyMessageException("activity message field 'type' is \""
                    + JsonFields.abbreviate(type) + "\", expected \"" + TYPE + "\"");
        }
        String repository = f.requireString("repository");
        String encoded = f.requireString("manifest");
        if (encoded.length() % 4 != 0) {
            throw new NotifyMessageException("activity message field 'manifest' is not padded Base64: length "
                    + encoded.length() + " is not a multiple of 4");
        }
        byte[] manifest;
        try {
            manifest = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new NotifyMessageException("activity message field 'manifest' is not standard Base64: "
                    + e.getMessage());
        }
        try {
            return new ActivityMessage(version, timestamp, repository, manifest);
        } catch (IllegalArgumentException e) {
            throw new NotifyMessageException("activity message " + e.getMessage());
        }
    }

    private static void requireVerbatim(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                throw new IllegalArgumentException("field '" + field + "' holds a character that needs JSON escaping: \""
                        + JsonFields.abbreviate(value) + "\"");
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActivityMessage m && version == m.version && timestamp.equals(m.timestamp)
                && repository.equals(m.repository) && Arrays.equals(manifest, m.manifest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, timestamp, repository, Arrays.hashCode(manifest));
    }

    @Override
    public String toString() {
        return "ActivityMessage[" + repository + ", " + timestamp + ", " + manifest.length + " manifest bytes]";
    }
}
