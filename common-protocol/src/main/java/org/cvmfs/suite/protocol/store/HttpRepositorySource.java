package org.cvmfs.suite.protocol.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalLong;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.http.HttpClients;

/**
 * A repository served over HTTP, with base URL such as {@code http://host/cvmfs/REPO}. Objects are
 * verified against their names; root files are not (their signatures are checked by the manifest
 * and whitelist code). Thread-safe: one instance can serve concurrent fetches.
 */
public final class HttpRepositorySource implements RepositorySource {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final String base;
    private final HttpClient client;
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
        this.client = HttpClients.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
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
        URI uri = URI.create(base + "/" + RootFileNames.require(name));
        HttpRequest request = request(uri).header("Cache-Control", "no-cache").GET().build();
        byte[] body = get(request, limits.maxRootFileBytes());
        if (body == null) {
            throw new MissingRootFileException(name, base);
        }
        return body;
    }

    @Override
    public byte[] fetchObject(ContentHash hash) {
        URI uri = objectUri(hash);
        byte[] body = get(request(uri).GET().build(), limits.maxObjectBytes());
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
        URI uri = objectUri(hash);
        HttpResponse<Void> response = send(request(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        return switch (response.statusCode()) {
            case 200 -> true;
            case 404 -> false;
            default -> throw new RepositoryFetchException("HEAD " + uri + " answered HTTP " + response.statusCode());
        };
    }

    @Override
    public String describe() {
        return base;
    }

    private URI objectUri(ContentHash hash) {
        return URI.create(base + "/data/" + hash.objectPath());
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(timeout);
    }

    /** The body of a 200 answer, null for 404; anything else, or a body over {@code limit}, is refused. */
    private byte[] get(HttpRequest request, long limit) {
        HttpResponse<InputStream> response = send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            int status = response.statusCode();
            if (status == 404) {
                return null;
            }
            if (status != 200) {
                throw new RepositoryFetchException("GET " + request.uri() + " answered HTTP " + status);
            }
            OptionalLong declared = response.headers().firstValueAsLong("Content-Length");
            if (declared.isPresent() && declared.getAsLong() > limit) {
                throw new RepositoryFetchException("GET " + request.uri() + " announces " + declared.getAsLong()
                        + " bytes, more than the " + limit + " allowed");
            }
            byte[] body = in.readNBytes((int) limit + 1);
            if (body.length > limit) {
                throw new RepositoryFetchException("GET " + request.uri() + " sent more than the " + limit + " bytes allowed");
            }
            return body;
        } catch (IOException e) {
            throw new RepositoryFetchException("GET " + request.uri() + " failed while reading: " + e.getMessage(), e);
        }
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return client.send(request, handler);
        } catch (IOException e) {
            throw new RepositoryFetchException(request.method() + " " + request.uri() + " failed: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RepositoryFetchException(request.method() + " " + request.uri() + " interrupted", e);
        }
    }
}
