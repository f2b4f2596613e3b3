package org.cvmfs.suite.gateway.serve;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.cvmfs.suite.gateway.testing.GatewayTestResource;
import org.cvmfs.suite.gateway.testing.RepositoryStates;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.store.HttpRepositorySource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code /cvmfs/REPO/...}: what is served, with which headers, and what never is. */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class RepositoryServingTest {
    static final String ROOT_CATALOG = "data/65/cb2f4851c2a8e44cf92151447d7e3157172db7C";
    /** The 4.7 MB chunk of {@code sw/big/big.txt}. */
    static final String BIG_CHUNK = "14a637b8dc8e758c79eee0aa6710bff988055198";

    @TestHTTPResource("/")
    URI gateway;

    RepositoryLayout layout;

    @BeforeEach
    void upstreamsStateAfterA() {
        layout = RepositoryStates.reset("after-a");
    }

    @AfterEach
    void untouchedHost() {
        RepositoryStates.restore();
    }

    @Test
    void signedRootFilesAreShortLived() throws IOException {
        for (String name : List.of(".cvmfspublished", ".cvmfswhitelist", ".cvmfsreflog", ".cvmfs_master_replica")) {
            Response r = given().header("If-Modified-Since", "Wed, 25 Nov 2099 00:00:00 GMT")
                    .get("/cvmfs/capture.test/" + name);
            r.then().statusCode(200)
                    .header("Content-Type", "application/x-cvmfs")
                    .header("Cache-Control", "max-age=61")
                    .header("Content-Length", Long.toString(Files.size(layout.servedRoot().resolve(name))))
                    .header("Last-Modified", nullValue())
                    .header("ETag", nullValue());
            assertArrayEquals(Files.readAllBytes(layout.servedRoot().resolve(name)), r.asByteArray(), name);
        }
    }

    @Test
    void objectsAreImmutable() throws IOException {
        Response r = given().get("/cvmfs/capture.test/" + ROOT_CATALOG);
        r.then().statusCode(200)
                .header("Content-Type", "application/octet-stream")
                .header("Cache-Control", "max-age=259200")
                .header("Last-Modified", nullValue())
                .header("ETag", nullValue());
        assertArrayEquals(Files.readAllBytes(layout.servedRoot().resolve(ROOT_CATALOG)), r.asByteArray());
    }

    @Test
    void headAnswersHeadersOnly() throws IOException {
        Path file = layout.servedRoot().resolve(ROOT_CATALOG);
        Response r = given().head("/cvmfs/capture.test/" + ROOT_CATALOG);
        r.then().statusCode(200).header("Content-Length", Long.toString(Files.size(file)))
                .header("Content-Type", "application/octet-stream");
        assertEquals(0, r.asByteArray().length);
        given().head("/cvmfs/capture.test/data/00/missing").then().statusCode(404);
    }

    @Test
    void objectsStreamIntact() throws Exception {
        HttpRepositorySource served = new HttpRepositorySource(gateway.resolve("/cvmfs/capture.test"));
        ContentHash chunk = ContentHash.parse(BIG_CHUNK, ObjectSuffix.PARTIAL);
        // fetchObject checks that the bytes hash to the name; several at once share the server
        List<CompletableFuture<byte[]>> reads = IntStream.range(0, 4)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> served.fetchObject(chunk))).toList();
        for (CompletableFuture<byte[]> read : reads) {
            assertEquals(931_573, read.join().length);
        }

        byte[] block = new byte[1 << 20];
        new Random(42).nextBytes(block);
        Path big = layout.dataDir().resolve("ab/large-object");
        Files.createDirectories(big.getParent());
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = Files.newOutputStream(big)) {
            for (int i = 0; i < 24; i++) {
                block[0] = (byte) i;
                out.write(block);
                written.update(block);
            }
        }
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        try (InputStream in = given().get("/cvmfs/capture.test/data/ab/large-object").then().statusCode(200)
                .header("Content-Length", Long.toString(24L << 20)).extract().asInputStream()) {
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0; ) {
                read.update(buffer, 0, n);
            }
        }
        assertArrayEquals(written.digest(), read.digest());
    }

    @Test
    void onlyRegularFilesOfConfiguredRepositoriesAreServed() throws IOException {
        Files.writeString(layout.dataDir().resolve("txn/upload.tmp"), "half an object");
        Files.createSymbolicLink(layout.servedRoot().resolve(".cvmfsalt-link"), Path.of("/etc/passwd"));
        Path unconfigured = layout.servedRoot().getParent().resolve("unconfigured.test");
        Files.createDirectories(unconfigured);
        Files.writeString(unconfigured.resolve(".cvmfspublished"), "not ours");

        given().get("/cvmfs/capture.test/data/txn/upload.tmp").then().statusCode(404);
        given().get("/cvmfs/capture.test/data/txn").then().statusCode(404);
        given().get("/cvmfs/capture.test/data").then().statusCode(404);
        given().get("/cvmfs/capture.test/").then().statusCode(404);
        given().get("/cvmfs/capture.test").then().statusCode(404);
        given().get("/cvmfs/capture.test/.cvmfsalt-link").then().statusCode(404);
        given().get("/cvmfs/capture.test/data/00/0000000000000000000000000000000000000000").then().statusCode(404);
        given().get("/cvmfs/unconfigured.test/.cvmfspublished").then().statusCode(404);
        given().get("/cvmfs/other.test/.cvmfspublished").then().statusCode(404);
        Files.delete(unconfigured.resolve(".cvmfspublished"));
        Files.delete(unconfigured);
        given().post("/cvmfs/capture.test/.cvmfspublished").then().statusCode(405).header("Allow", "GET, HEAD");
        given().delete("/cvmfs/capture.test/.cvmfspublished").then().statusCode(405);
        assertTrue(Files.exists(layout.manifest()));
    }

    /** A linked directory inside the tree is followed only as far as the repository's directory. */
    @Test
    void symlinkedDirectoriesDoNotLeadOutOfTheRepository() throws IOException {
        Path outside = Files.createDirectories(layout.servedRoot().getParent().resolve("outside-of-capture"));
        Files.writeString(outside.resolve("secret"), "root:x:0:0");
        Path escape = layout.servedRoot().resolve("escape");
        Path intoTxn = layout.servedRoot().resolve("pending");
        Path inside = layout.servedRoot().resolve("alias");
        Files.createSymbolicLink(escape, outside);
        Files.createSymbolicLink(intoTxn, layout.dataDir().resolve("txn"));
        Files.createSymbolicLink(inside, layout.dataDir());
        Files.writeString(layout.dataDir().resolve("txn/upload.tmp"), "half an object");
        try {
            given().get("/cvmfs/capture.test/escape/secret").then().statusCode(404);
            given().head("/cvmfs/capture.test/escape/secret").then().statusCode(404);
            given().get("/cvmfs/capture.test/pending/upload.tmp").then().statusCode(404);
            String object = layout.manifest().getFileName().toString();
            given().get("/cvmfs/capture.test/alias/../" + object).then().statusCode(404);
            Path anObject;
            try (var walk = Files.walk(layout.dataDir().resolve("36"))) {
                anObject = walk.filter(Files::isRegularFile).findFirst().orElseThrow();
            }
            given().get("/cvmfs/capture.test/alias/36/" + anObject.getFileName()).then().statusCode(200);
        } finally {
            Files.delete(escape);
            Files.delete(intoTxn);
            Files.delete(inside);
            Files.delete(outside.resolve("secret"));
            Files.delete(outside);
        }
    }

    @ParameterizedTest
    @CsvSource({
            "/cvmfs/capture.test/../../../../etc/passwd, 404",
            "/cvmfs/capture.test/data/../.cvmfspublished, 404",
            "/cvmfs/capture.test/./.cvmfspublished, 404",
            "/cvmfs/capture.test//.cvmfspublished, 404",
            "/cvmfs/capture.test/%2e%2e/capture.test/.cvmfspublished, 404",
            "/cvmfs/%2e%2e/etc/passwd, 404",
            "/cvmfs/capture.test/data%2f..%2f.cvmfspublished, 400",
            "/cvmfs/capture.test/data%2F65/cb2f4851c2a8e44cf92151447d7e3157172db7C, 400",
            "/cvmfs/capture.test/data%5c65, 400",
            "/cvmfs/capture.test/.cvmfspublished%00, 400",
            "/cvmfs/capture.test/.cvmfspublished%00.json, 400",
            "/cvmfs/capture.test/%zz, 400",
            "/cvmfs/capture.test/%2, 400",
            "/cvmfs/capture.test/%c3%28, 400",
    })
    void hostilePathsAreRefused(String target, int status) throws IOException {
        String reply = rawGet(target);
        String statusLine = reply.substring(0, reply.indexOf("\r\n"));
        // a path the router itself normalises out of /cvmfs/ is not ours to answer, but never a 200
        if (target.startsWith("/cvmfs/capture.test/../")) {
            assertFalse(statusLine.contains(" 200 "), reply);
        } else {
            assertEquals("HTTP/1.1 " + status, statusLine.substring(0, 12), reply);
        }
        assertFalse(reply.contains("root:"), reply);
        assertFalse(reply.contains("Ncapture.test"), "the manifest must not leak: " + reply);
    }

    @Test
    void repositoryListInUpstreamsForm() {
        given().get("/cvmfs/info/v1/repositories.json").then().statusCode(200)
                .header("Content-Type", "application/json")
                .header("Cache-Control", "max-age=61")
                .body("schema", equalTo(1))
                .body("repositories.name", equalTo(List.of("capture.test", "gc.test", "other.test")))
                .body("repositories.url", equalTo(List.of("/cvmfs/capture.test", "/cvmfs/gc.test", "/cvmfs/other.test")))
                .body("replicas", equalTo(List.of()));
        given().head("/cvmfs/info/v1/repositories.json").then().statusCode(200);
    }

    /** A request sent byte for byte, so that no client library normalises the path first. */
    private String rawGet(String target) throws IOException {
        try (Socket socket = new Socket(gateway.getHost(), gateway.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: " + gateway.getHost() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
