package org.cvmfs.suite.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.name.RawName;
import org.cvmfs.suite.protocol.repository.RepositoryBrowser;
import org.cvmfs.suite.protocol.store.HttpRepositorySource;
import org.cvmfs.suite.protocol.store.Zlib;
import org.cvmfs.suite.protocol.testing.JavaProcess;
import org.cvmfs.suite.server.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Names and a symlink target that are not UTF-8, end to end: created with raw bytes by a shell,
 * published through the gateway by {@code cvmfs_server} running as the launcher runs it (a JVM of
 * its own, plain main class, {@code LC_ALL=C.UTF-8}), checked clean, listed with the bytes shown
 * as {@code \xNN}, served byte for byte, materialised again by the next transaction.
 */
@ExtendWith(Hosts.Extension.class)
class RawNamesEndToEndTest {
    private static final byte[] FILE = HexFormat.of().parseHex("61ff62c3");     // a\xffb\xc3
    private static final byte[] LINK = HexFormat.of().parseHex("6cc3");         // l\xc3
    private static final byte[] TARGET = HexFormat.of().parseHex("78ff2fc379"); // x\xff/\xc3y
    private static final byte[] DIR = HexFormat.of().parseHex("64fe");          // d\xfe
    private static final byte[] INNER = HexFormat.of().parseHex("69ff");        // i\xff

    private final Hosts hosts;
    private final GatewayHost gateway;
    private final PublisherHost one;
    private final PublisherHost two;

    RawNamesEndToEndTest(Hosts hosts) {
        this.hosts = hosts;
        this.gateway = hosts.gateway();
        this.one = hosts.publisher1();
        this.two = hosts.publisher2();
    }

    private record Run(int exitCode, String out, String err) {
    }

    /** {@code cvmfs_server --prefix HOST ARGS...} in a JVM of its own, with the launcher's locale. */
    private Run launch(Path host, String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("cvmfs_server", "--prefix", host.toString()));
        all.addAll(List.of(args));
        Path dir = hosts.scratch("launch");
        ProcessBuilder b = new ProcessBuilder(JavaProcess.mainClass(Main.class, all))
                .redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile());
        b.environment().remove("LANG");
        b.environment().remove("LC_CTYPE");
        b.environment().put("LC_ALL", "C.UTF-8");
        int code = b.start().waitFor();
        return new Run(code, Files.readString(dir.resolve("out")), Files.readString(dir.resolve("err")));
    }

    private Run ok(Path host, String... args) throws IOException, InterruptedException {
        Run r = launch(host, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + ": " + r + "\n--- gateway log\n" + gateway.log());
        return r;
    }

    private static void sh(String script, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", script, "sh", dir.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), script);
    }

    private static RepositoryPath raw(String parent, byte[]... names) {
        RepositoryPath p = RepositoryPath.of(parent);
        for (byte[] n : names) {
            p = p.child(RawName.decode(n));
        }
        return p;
    }

    @Test
    void publishedCheckedListedServedAndMaterialisedByteForByte() throws Exception {
        ok(one.prefix(), "transaction", GatewayHost.REPO + "/raw");
        Path tree = one.tree("/raw");
        sh("printf 'raw content\\n' > \"$1/$(printf 'a\\377b\\303')\""
                + " && ln -s \"$(printf 'x\\377/\\303y')\" \"$1/$(printf 'l\\303')\""
                + " && mkdir \"$1/$(printf 'd\\376')\" && printf inner > \"$1/$(printf 'd\\376/i\\377')\""
                + " && touch \"$1/$(printf 'd\\376/.cvmfscatalog')\"", tree);
        ok(one.prefix(), "publish", GatewayHost.REPO);

        Run check = ok(gateway.prefix(), "check", GatewayHost.REPO);
        assertTrue(check.out().startsWith("no problems found"), check.out());
        assertEquals("a\\xffb\\xc3\nd\\xfe\nl\\xc3\n", ok(gateway.prefix(), "ls", GatewayHost.REPO, "/raw").out());
        assertTrue(ok(gateway.prefix(), "ls", "-l", GatewayHost.REPO, "/raw").out().contains(" l\\xc3 -> x\\xff/\\xc3y\n"));
        assertTrue(ok(gateway.prefix(), "list-catalogs", GatewayHost.REPO).out().contains("/raw/d\\xfe\n"));

        ServedFile served = served(raw("/raw", FILE));
        assertEquals("raw content\n", served.content);
        try (RepositoryBrowser head = hosts.browse()) {
            DirectoryEntry link = head.stat(raw("/raw", LINK));
            assertArrayEquals(TARGET, RawName.encode(link.symlink()));
            assertEquals(TARGET.length, link.size());
            assertEquals("inner", hosts.cat(head, "/raw/" + RawName.decode(DIR) + "/" + RawName.decode(INNER)));
        }

        // another publisher's transaction writes the raw names into its fresh working tree, byte for byte
        ok(two.prefix(), "transaction", GatewayHost.REPO + "/raw");
        Path again = two.tree("/raw");
        sh("test \"$(cat \"$1/$(printf 'a\\377b\\303')\")\" = 'raw content'"
                + " && test \"$(readlink \"$1/$(printf 'l\\303')\")\" = \"$(printf 'x\\377/\\303y')\""
                + " && test \"$(cat \"$1/$(printf 'd\\376/i\\377')\")\" = inner", again);
        sh("printf more > \"$1/more\"", again);
        ok(two.prefix(), "publish", GatewayHost.REPO);
        hosts.assertChecks();
        assertEquals(served.hash, served(raw("/raw", FILE)).hash, "the untouched raw-named file keeps its entry");
        assertEquals("a\\xffb\\xc3\nd\\xfe\nl\\xc3\nmore\n", ok(gateway.prefix(), "ls", GatewayHost.REPO, "/raw").out());
    }

    private record ServedFile(String hash, String content) {
    }

    /** The file's object fetched from the gateway's {@code /cvmfs/REPO/data/} as a client does. */
    private ServedFile served(RepositoryPath path) {
        try (RepositoryBrowser head = hosts.browse()) {
            DirectoryEntry e = head.stat(path);
            byte[] object = new HttpRepositorySource(gateway.stratum0Url()).fetchObject(e.hash());
            return new ServedFile(e.hash().toString(), new String(Zlib.inflate(object, e.size()), StandardCharsets.UTF_8));
        }
    }
}
