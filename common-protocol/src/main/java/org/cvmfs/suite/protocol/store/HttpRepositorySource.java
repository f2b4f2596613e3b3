package org.cvmfs.suite.protocol.store;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.http.HttpCall;

/**
 * A repository served over HTTP, with base URL such as {@code http://host/cvmfs/REPO}. Objects are
 * verified against their names; root files are not (their signatures are checked by the manifest
 * and whitelist code). Thread-safe: one instance can serve concurrent fetches.
 */
public final class HttpRepositorySource implements RepositorySource {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final String base;
    private final Duration timeout;
    private final FetchLimits limits;

    public HttpRepositorySource(URI baseUrl, Duration timeout, FetchLimits limits) {
        String scheme = baseUrl.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("repository URL must be http or https: " + baseUrl);
        }
        String text = baseUrl.toString();
        this.base = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        this.timeout = timeout;
        this.limits = limits;
    }

    public HttpRepositorySource(URI baseUrl) {
        this(baseUrl, DEFAULT_TIMEOUT, FetchLimits.DEFAULT);
    }

    /**
     * Root files change with every publication; {@code no-cache} makes a proxy revalidate instead
     * of handing out a stale manifest.
     */
    @Override
    public byte[] fetchRootFile(String name) {
        HttpCall call = request("GET", URI.create(base + "/" + RootFileNames.require(name)))
                .header("Cache-Control", "no-cache").maxBody(limits.maxRootFileBytes());
        byte[] body = get(call);
        if (body == null) {
            throw new MissingRootFileException(name, base);
        }
        return body;
    }

    @Override
    public byte[] fetchObject(ContentHash hash) {
        URI uri = objectUri(hash);
        byte[] body = get(request("GET", uri).maxBody(limits.maxObjectBytes()));
        if (body == null) {
            throw new MissingObjectException(hash, base);
        }
        if (!hash.matches(body)) {
            throw new CorruptObjectException("object " + hash + " from " + uri + " does not hash to its name");
        }
        return body;
    }

    @Override
    public boolean hasObject(ContentHash hash) {
        HttpCall call = request("HEAD", objectUri(hash));
        int status = send(call).status();
        return switch (status) {
            case 200 -> true;
            case 404 -> false;
            default -> throw new RepositoryFetchException(call.describe() + " answered HTTP " + status);
        };
    }

    @Override
    public String describe() {
        return base;
    }

    private URI objectUri(ContentHash hash) {
        return URI.create(base + "/data/" + hash.objectPath());
    }

    private HttpCall request(String method, URI uri) {
        return HttpCall.of(method, uri).timeout(timeout).followRedirects();
    }

    /** The body of a 200 answer, null for 404; anything else, or a body over the call's bound, is refused. */
    private byte[] get(HttpCall call) {
        HttpCall.Reply reply = send(call);
        return switch (reply.status()) {
            case 200 -> reply.body();
            case 404 -> null;
            default -> throw new RepositoryFetchException(call.describe() + " answered HTTP " + reply.status());
        };
    }

    private static HttpCall.Reply send(HttpCall call) {
        try {
            return call.send();
        } catch (HttpCall.BodyTooLargeException e) {
            throw new RepositoryFetchException(call.describe() + " " + e.getMessage(), e);
        } catch (IOException e) {
            throw new RepositoryFetchException(call.describe() + " failed: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }
}
