package org.cvmfs.suite.gateway.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import org.cvmfs.suite.gateway.repo.Repository;
import org.cvmfs.suite.gateway.repo.RepositoryRegistry;
import org.jboss.logging.Logger;

/**
 * Read-only HTTP serving of every configured repository at {@code /cvmfs/REPO/...} from its
 * storage ({@code /srv/cvmfs/REPO}), so publishers and clients can read the Stratum-0 from the
 * gateway without a separate web server. GET and HEAD only. Only regular files are served (no
 * directory listings, no symbolic links as the last component), never the uploader's scratch
 * directory {@code data/txn}. Headers follow upstream's Apache setup ({@link ServedType}); no
 * {@code Last-Modified} or {@code ETag}, conditional requests are answered in full. Files are
 * streamed by the HTTP server, never held in memory.
 *
 * <p>{@code /cvmfs/info/v1/repositories.json} lists the configured repositories in the form
 * upstream's {@code cvmfs_server} writes it.
 */
@Singleton
public class RepositoryServing {
    public static final String REPOSITORIES_JSON = "/cvmfs/info/v1/repositories.json";
    private static final Logger LOG = Logger.getLogger(RepositoryServing.class);

    private final RepositoryRegistry repositories;
    private final byte[] repositoryList;

    @Inject
    public RepositoryServing(RepositoryRegistry repositories) {
        this.repositories = repositories;
        this.repositoryList = repositoryList(repositories);
    }

    void register(@Observes Router router) {
        router.route(ServedPath.PREFIX + "*").blockingHandler(this::handle, false);
    }

    private void handle(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        HttpMethod method = ctx.request().method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            response.putHeader(HttpHeaders.ALLOW, "GET, HEAD");
            refuse(response, 405, "method not allowed");
            return;
        }
        boolean head = method.equals(HttpMethod.HEAD);
        String rawPath = ctx.request().path();
        if (rawPath.equals(REPOSITORIES_JSON)) {
            putType(response, ServedType.of(REPOSITORIES_JSON), repositoryList.length);
            if (head) {
                response.end();
            } else {
                response.end(Buffer.buffer(repositoryList));
            }
            return;
        }
        Path file;
        try {
            file = locate(ServedPath.parse(rawPath));
        } catch (ServedPath.Refused e) {
            LOG.debugf("not serving %s: %s", rawPath, e.getMessage());
            refuse(response, e.status(), e.status() == 400 ? "bad request" : "not found");
            return;
        }
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            refuse(response, 404, "not found");
            return;
        } catch (IOException e) {
            LOG.warnf("cannot serve %s: %s", file, e.toString());
            refuse(response, 500, "cannot read the file");
            return;
        }
        if (!attributes.isRegularFile()) {
            refuse(response, 404, "not found");
            return;
        }
        long size = attributes.size();
        putType(response, ServedType.of(file.getFileName().toString()), size);
        if (head) {
            response.end();
            return;
        }
        response.sendFile(file.toString(), 0, size).onFailure(e -> LOG.debugf("sending %s stopped: %s", file, e));
    }

    /** The file a parsed path names inside a configured repository's storage. */
    private Path locate(ServedPath path) {
        Optional<Repository> repository = repositories.find(path.repository());
        if (repository.isEmpty()) {
            throw new ServedPath.Refused(404, "repository " + path.repository() + " is not configured");
        }
        if (path.components().size() >= 2 && path.components().get(0).equals("data")
                && path.components().get(1).equals("txn")) {
            throw new ServedPath.Refused(404, "data/txn holds unfinished uploads");
        }
        Path root = repository.get().storage().toAbsolutePath().normalize();
        Path file = root.resolve(path.relative()).normalize();
        if (!file.startsWith(root) || file.equals(root)) {
            throw new ServedPath.Refused(404, "outside the repository");
        }
        return confine(root, file);
    }

    /**
     * The real file behind {@code file}, which must lie inside the real {@code root} and not in its
     * {@code data/txn}: a symbolic link anywhere on the way (a linked directory included) may not
     * lead out of the repository. The last component itself must not be a link (checked by the
     * caller on {@code file}). The storage root may itself be a link (storage mounted elsewhere).
     */
    private static Path confine(Path root, Path file) {
        Path realRoot;
        Path real;
        try {
            realRoot = root.toRealPath();
            real = file.getParent().toRealPath().resolve(file.getFileName());
        } catch (NoSuchFileException e) {
            throw new ServedPath.Refused(404, "no such directory");
        } catch (IOException e) {
            throw new ServedPath.Refused(404, "cannot resolve the path: " + e.getMessage());
        }
        if (!real.startsWith(realRoot) || real.equals(realRoot)) {
            throw new ServedPath.Refused(404, "a symbolic link leads outside the repository");
        }
        if (real.startsWith(realRoot.resolve("data/txn"))) {
            throw new ServedPath.Refused(404, "data/txn holds unfinished uploads");
        }
        return real;
    }

    private static void putType(HttpServerResponse response, ServedType type, long length) {
        response.putHeader(HttpHeaders.CONTENT_TYPE, type.contentType())
                .putHeader(HttpHeaders.CACHE_CONTROL, type.cacheControl())
                .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length));
    }

    private static void refuse(HttpServerResponse response, int status, String text) {
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .end(text + "\n");
    }

    private static byte[] repositoryList(RepositoryRegistry repositories) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("schema", 1);
        ArrayNode list = root.putArray("repositories");
        for (Repository r : repositories.all()) {
            list.addObject().put("name", r.name()).put("url", "/cvmfs/" + r.name());
        }
        root.putArray("replicas");
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot render the repository list", e);
        }
    }
}
