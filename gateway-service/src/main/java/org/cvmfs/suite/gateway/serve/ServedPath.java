package org.cvmfs.suite.gateway.serve;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.cvmfs.suite.protocol.repository.RepositoryName;

/**
 * A request path below {@code /cvmfs/} taken apart as it arrived on the wire (not as a router
 * normalised it): repository name, then the file's path components, each percent-decoded on its
 * own. Refused before any file system access: a malformed escape, an encoded {@code /} or
 * {@code \}, a NUL or other control character (400); an empty, {@code .} or {@code ..}
 * component, or a repository name that cannot be one (404).
 *
 * @param repository the first component, e.g. {@code capture.test}
 * @param components the rest, e.g. {@code [data, 36, 648c...C]}; never empty
 */
public record ServedPath(String repository, List<String> components) {
    public static final String PREFIX = "/cvmfs/";

    public ServedPath {
        components = List.copyOf(components);
    }

    /** Why a path is not served, and with which status. */
    public static final class Refused extends RuntimeException {
        private final int status;

        Refused(int status, String reason) {
            super(reason);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** Parses the raw path of a request (without query string), which must start with {@value #PREFIX}. */
    public static ServedPath parse(String rawPath) {
        if (rawPath == null || !rawPath.startsWith(PREFIX)) {
            throw new Refused(404, "not below " + PREFIX);
        }
        String[] raw = rawPath.substring(PREFIX.length()).split("/", -1);
        List<String> decoded = new ArrayList<>(raw.length);
        for (String component : raw) {
            String name = decode(component);
            if (name.isEmpty() || name.equals(".") || name.equals("..")) {
                throw new Refused(404, "path component '" + name + "' is not served");
            }
            decoded.add(name);
        }
        if (decoded.size() < 2) {
            throw new Refused(404, "no file named below a repository");
        }
        if (!RepositoryName.isValid(decoded.get(0))) {
            throw new Refused(404, "'" + decoded.get(0) + "' is no repository name");
        }
        return new ServedPath(decoded.get(0), decoded.subList(1, decoded.size()));
    }

    /** The file's name (last component). */
    public String fileName() {
        return components.get(components.size() - 1);
    }

    /** Path relative to the repository's served root, components joined with {@code /}. */
    public String relative() {
        return String.join("/", components);
    }

    private static String decode(String component) {
        ByteBuffer bytes = ByteBuffer.allocate(component.length());
        for (int i = 0; i < component.length(); i++) {
            char c = component.charAt(i);
            if (c != '%') {
                if (c > 0x7f) {
                    throw new Refused(400, "raw non-ASCII character in the request path");
                }
                bytes.put((byte) c);
                continue;
            }
            if (i + 2 >= component.length()) {
                throw new Refused(400, "truncated percent escape in the request path");
            }
            int high = Character.digit(component.charAt(i + 1), 16);
            int low = Character.digit(component.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                throw new Refused(400, "malformed percent escape in the request path");
            }
            bytes.put((byte) (high << 4 | low));
            i += 2;
        }
        bytes.flip();
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new Refused(400, "request path is not UTF-8");
        }
        requireClean(name);
        return name;
    }

    private static void requireClean(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\') {
                throw new Refused(400, "encoded path separator in the request path");
            }
            if (c < 0x20 || c == 0x7f) {
                throw new Refused(400, "control character in the request path");
            }
        }
    }
}
