package org.cvmfs.suite.protocol.name;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Raw names and targets created and read back through the JVM, checked byte for byte by a shell. */
class FileSystemNamesTest {
    @TempDir
    Path dir;

    private void sh(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", script, "sh", dir.toString()).inheritIO().start();
        assertEquals(0, p.waitFor(), script);
    }

    @Test
    void namesAndTargetsAreCreatedAndReadAsTheirBytes() throws Exception {
        String dirName = RawName.decode(new byte[] {'d', (byte) 0xfe});
        String fileName = RawName.decode(new byte[] {'a', (byte) 0xff, 'b', (byte) 0xc3});
        Files.createDirectory(FileSystemNames.resolve(dir, dirName));
        Files.writeString(FileSystemNames.resolve(dir, dirName + "/" + fileName), "x");
        String relative = RawName.decode(new byte[] {'x', (byte) 0xff, '/', (byte) 0xc3, 'y', '/'});
        Files.createSymbolicLink(FileSystemNames.resolve(dir, "rel"), FileSystemNames.linkTargetPath(relative));
        String absolute = RawName.decode(("/abs/" + "q").getBytes()) + "\uDCE9";
        Files.createSymbolicLink(FileSystemNames.resolve(dir, "abs"), FileSystemNames.linkTargetPath(absolute));
        Files.createSymbolicLink(FileSystemNames.resolve(dir, "plain"), FileSystemNames.linkTargetPath("ü/plain"));

        sh("test \"$(cat \"$1/$(printf 'd\\376/a\\377b\\303')\")\" = x"
                + " && test \"$(readlink \"$1/rel\")\" = \"$(printf 'x\\377/\\303y/')\""
                + " && test \"$(readlink \"$1/abs\")\" = \"$(printf '/abs/q\\351')\""
                + " && test \"$(readlink \"$1/plain\")\" = 'ü/plain'");

        List<String> names = new ArrayList<>();
        try (var entries = Files.newDirectoryStream(FileSystemNames.resolve(dir, dirName))) {
            entries.forEach(p -> names.add(FileSystemNames.nameOf(p)));
        }
        assertEquals(List.of(fileName), names);
        assertEquals(relative, FileSystemNames.linkTarget(dir.resolve("rel"), 6));
        assertEquals(absolute, FileSystemNames.linkTarget(dir.resolve("abs"), 7));
        assertEquals("ü/plain", FileSystemNames.linkTarget(dir.resolve("plain"), 8));
    }
}
