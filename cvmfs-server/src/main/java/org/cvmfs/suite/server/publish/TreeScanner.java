package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.protocol.catalog.EntryKind;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.name.FileSystemNames;
import org.cvmfs.suite.protocol.name.RawName;

/**
 * Walks a working tree with {@code lstat}, never following symbolic links (so links to
 * directories and link loops are just links). Only directories, regular files and symbolic links
 * can be published; anything else, an unusable {@code .cvmfscatalog} marker, or a name that
 * cannot be a path component stops the scan with a message naming the path.
 *
 * <p>Names and symlink targets are taken as the raw bytes the kernel holds, as upstream takes
 * them, whatever the locale ({@link FileSystemNames}): a name that is not valid UTF-8 is
 * published byte for byte, in {@link RawName}'s form. Messages show such bytes as {@code \xNN}.
 */
public final class TreeScanner {
    public static final String CATALOG_MARKER = ".cvmfscatalog";
    private static final String ATTRIBUTES = "unix:mode,ino,dev,nlink,uid,gid,size,lastModifiedTime,ctime";
    private static final String UPPER_ATTRIBUTES = ATTRIBUTES + ",rdev";

    private TreeScanner() {
    }

    /** Scans {@code root}, the working copy of the repository subtree at {@code prefix}. */
    public static ScannedTree scan(Path root, RepositoryPath prefix) {
        TreeMap<RepositoryPath, ScannedEntry> entries = new TreeMap<>();
        ScannedEntry top = stat(root, prefix);
        if (!top.isDirectory()) {
            throw new TreeScanException("working tree " + root + " is not a directory");
        }
        entries.put(prefix, top);
        Deque<Map.Entry<Path, RepositoryPath>> pending = new ArrayDeque<>();
        pending.push(Map.entry(root, prefix));
        while (!pending.isEmpty()) {
            Map.Entry<Path, RepositoryPath> dir = pending.pop();
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dir.getKey())) {
                for (Path child : children) {
                    RepositoryPath path = childPath(dir.getValue(), child);
                    ScannedEntry entry = stat(child, path);
                    checkMarker(entry);
                    entries.put(path, entry);
                    if (entry.isDirectory()) {
                        pending.push(Map.entry(child, path));
                    }
                }
            } catch (NoSuchFileException e) {
                throw new TreeScanException(dir.getValue() + " disappeared while the tree was scanned", e);
            } catch (IOException e) {
                throw new TreeScanException("cannot list " + dir.getValue() + " (" + dir.getKey() + "): " + e, e);
            }
        }
        return new ScannedTree(prefix, entries);
    }

    /** One entry, checked as {@link #scan} checks it: for scanners of parts of a tree. */
    static ScannedEntry entry(Path file, RepositoryPath path) {
        ScannedEntry entry = stat(file, path);
        checkMarker(entry);
        return entry;
    }

    /** The repository path of {@code child} (a file in the directory of {@code parent}), by its raw name. */
    static RepositoryPath childPath(RepositoryPath parent, Path child) {
        String name = FileSystemNames.nameOf(child);
        try {
            return parent.child(name);
        } catch (IllegalArgumentException e) {
            throw new TreeScanException("cannot publish '" + printable(name) + "' in " + displayed(parent) + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * As {@link #entry}, for an entry of an overlay's upper layer: empty for a whiteout
     * ({@link OverlayEntries#isWhiteout}), told from the same {@code lstat}.
     */
    static Optional<ScannedEntry> upperEntry(Path file, RepositoryPath path) {
        Map<String, Object> a = attributes(file, path, UPPER_ATTRIBUTES);
        if (OverlayEntries.isWhiteout((Integer) a.get("mode"), (Long) a.get("rdev"))) {
            return Optional.empty();
        }
        ScannedEntry entry = entry(file, path, a);
        checkMarker(entry);
        return Optional.of(entry);
    }

    private static ScannedEntry stat(Path file, RepositoryPath path) {
        return entry(file, path, attributes(file, path, ATTRIBUTES));
    }

    private static Map<String, Object> attributes(Path file, RepositoryPath path, String which) {
        try {
            return Files.readAttributes(file, which, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new TreeScanException(displayed(path) + " disappeared while the tree was scanned", e);
        } catch (IOException e) {
            throw new TreeScanException("cannot stat " + displayed(path) + " (" + file + "): " + e, e);
        }
    }

    private static ScannedEntry entry(Path file, RepositoryPath path, Map<String, Object> a) {
        int mode = (Integer) a.get("mode");
        EntryKind kind = EntryKind.ofMode(mode);
        if (kind == EntryKind.SPECIAL) {
            throw new TreeScanException("cannot publish " + displayed(path) + ": it is a " + specialKind(mode)
                    + "; only directories, regular files and symbolic links can be published");
        }
        long size = (Long) a.get("size");
        String target = kind == EntryKind.SYMLINK ? linkTarget(file, path, size) : "";
        return new ScannedEntry(path, mode,
                Integer.toUnsignedLong((Integer) a.get("uid")), Integer.toUnsignedLong((Integer) a.get("gid")),
                size,
                nanos((FileTime) a.get("lastModifiedTime")), nanos((FileTime) a.get("ctime")),
                (Long) a.get("dev"), (Long) a.get("ino"), (Integer) a.get("nlink"), target);
    }

    /** The target's bytes in RawName form; {@code rawLength} (the link's size) must match them. */
    private static String linkTarget(Path link, RepositoryPath path, long rawLength) {
        try {
            return FileSystemNames.linkTarget(link, rawLength);
        } catch (IOException e) {
            throw new TreeScanException("cannot read the symbolic link " + displayed(path) + ": " + e, e);
        }
    }

    private static void checkMarker(ScannedEntry entry) {
        RepositoryPath path = entry.path();
        if (!path.name().equals(CATALOG_MARKER)) {
            return;
        }
        if (!entry.isRegular()) {
            throw new TreeScanException("nested catalog marker " + displayed(path) + " must be a regular file, not a "
                    + entry.kind().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (path.parent().isRoot()) {
            throw new TreeScanException("nested catalog marker " + displayed(path)
                    + " is not allowed in the repository root, which always has the root catalog");
        }
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }

    private static String specialKind(int mode) {
        return switch (mode & 0170000) {
            case 0010000 -> "FIFO";
            case 0020000 -> "character device";
            case 0060000 -> "block device";
            case 0140000 -> "socket";
            default -> "special file";
        };
    }

    private static String displayed(RepositoryPath path) {
        return path.isRoot() ? "/" : printable(path.toString());
    }

    /** Control characters and bytes that are not UTF-8 shown escaped, so that a name reads on one line. */
    static String printable(String s) {
        s = RawName.printable(s);
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
