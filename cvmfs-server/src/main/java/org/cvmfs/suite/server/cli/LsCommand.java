package org.cvmfs.suite.server.cli;

import java.time.Instant;
import java.util.concurrent.Callable;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.name.RawName;
import org.cvmfs.suite.protocol.repository.RepositoryBrowser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Named {@code ls}; {@code lsrepo} is kept as an alias because people look for the swissknife
 * name, but unlike {@code cvmfs_swissknife lsrepo} (which lists catalogs, see list-catalogs) it
 * lists a directory. Bytes of a name or target that are not UTF-8 are shown as {@code \xNN}
 * (the catalog keeps them as they are).
 */
@Command(name = "ls", aliases = "lsrepo", mixinStandardHelpOptions = true,
        description = {"Lists a directory of a repository, local or over HTTP.",
            "Needs no FUSE client. For a file, shows that entry; hidden entries are left out. Unlike "
                + "cvmfs_swissknife lsrepo (see list-catalogs), lsrepo here is an alias of ls."})
final class LsCommand implements Callable<Integer> {
    /** {@code S_IFMT}: the file type bits of {@code st_mode}. */
    private static final int FILE_TYPE_MASK = 0170000;

    @ParentCommand
    ServerCommand server;

    @Spec
    CommandSpec spec;

    @Mixin
    BrowseOptions browse;

    @Option(names = "-l", description = "long format: type and mode, links, owner, size, modification time, name")
    boolean longFormat;

    @Parameters(index = "0", paramLabel = "REPO|URL", description = "repository served from this host, or a repository URL")
    String target;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PATH", description = "directory or file (default: /)")
    String path = "/";

    @Override
    public Integer call() {
        return server.run(spec, () -> {
            try (RepositoryBrowser browser = browse.open(server, spec, target)) {
                var out = spec.commandLine().getOut();
                for (DirectoryEntry e : browser.list(RepositoryBrowser.parsePath(path))) {
                    out.println(longFormat ? longLine(e) : RawName.printable(e.name()));
                }
                out.flush();
            }
            return ServerCommand.EXIT_OK;
        });
    }

    private static String longLine(DirectoryEntry e) {
        String line = typeChar(e) + permissions(e.permissions()) + " " + e.linkcount() + " " + e.uid() + " " + e.gid()
                + " " + e.size() + " " + Instant.ofEpochSecond(e.mtime()) + " " + RawName.printable(e.name());
        return e.isSymlink() ? line + " -> " + RawName.printable(e.symlink()) : line;
    }

    private static char typeChar(DirectoryEntry e) {
        return switch (e.kind()) {
            case DIRECTORY -> 'd';
            case SYMLINK -> 'l';
            case REGULAR -> '-';
            case SPECIAL -> switch (e.mode() & FILE_TYPE_MASK) {
                case 0010000 -> 'p';
                case 0140000 -> 's';
                case 0060000 -> 'b';
                default -> 'c';
            };
        };
    }

    private static String permissions(int mode) {
        String rwx = "rwxrwxrwx";
        StringBuilder b = new StringBuilder(9);
        for (int i = 0; i < 9; i++) {
            b.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return b.toString();
    }
}
