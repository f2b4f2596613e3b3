package org.cvmfs.suite.server.publish;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * {@code CVMFS_UPSTREAM_STORAGE=gw,<tmp dir>,<api url>}, as {@code mkfs -u} takes it and
 * {@code server.conf} stores it. The API URL is the prefix of every route, used verbatim as
 * upstream does, so it must include {@code /api/v1}.
 */
public record GatewayUpstream(Path tmpDir, URI apiUrl) {
    public static GatewayUpstream parse(String spec) {
        if (spec == null) {
            throw new IllegalArgumentException("upstream storage is missing (expected gw,<tmp dir>,<gateway API URL>)");
        }
        String[] parts = spec.split(",", 3);
        if (parts.length != 3 || !parts[0].equals("gw")) {
            throw new IllegalArgumentException("upstream storage '" + spec
                    + "' is not of the form gw,<tmp dir>,<gateway API URL>");
        }
        if (parts[1].isEmpty() || !parts[1].startsWith("/")) {
            throw new IllegalArgumentException("upstream storage '" + spec + "': temporary directory '" + parts[1]
                    + "' is not an absolute path");
        }
        URI url;
        try {
            url = new URI(parts[2]);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("upstream storage '" + spec + "': gateway URL '" + parts[2]
                    + "' is not a URL: " + e.getMessage());
        }
        if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())
                || url.getHost() == null) {
            throw new IllegalArgumentException("upstream storage '" + spec + "': gateway URL '" + parts[2]
                    + "' is not an http(s) URL with a host");
        }
        return new GatewayUpstream(Path.of(parts[1]), url);
    }

    public String format() {
        String dir = tmpDir.toString();
        return "gw," + (dir.endsWith("/") ? dir : dir + "/") + "," + apiUrl;
    }
}
