package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Map;

/**
 * How overlayfs marks, in its upper layer, what the merged tree no longer shows of the lower one
 * (as upstream's {@code sync_union_overlayfs} reads them): a whiteout, a character device 0/0,
 * hides the lower entry of its name; an opaque directory ({@code overlay.opaque = y}, in the
 * user namespace under the {@code userxattr} mount option) hides the lower directory's whole
 * content. Also copies a directory's catalog attributes between the layers.
 */
final class OverlayEntries {
    private static final String OPAQUE = "overlay.opaque";
    private static final int TYPE_MASK = 0170000;
    private static final int CHARACTER_DEVICE = 0020000;
    private static final int DIRECTORY = 0040000;

    private OverlayEntries() {
    }

    /** What an upper entry is to a fold: a whiteout, a directory, or anything else (which moves as it is). */
    enum Kind { WHITEOUT, DIRECTORY, OTHER }

    /** True for a whiteout: a character device 0/0. */
    static boolean isWhiteout(int mode, long rdev) {
        return (mode & TYPE_MASK) == CHARACTER_DEVICE && rdev == 0;
    }

    /** The kind of an upper entry, from one {@code lstat}. */
    static Kind kind(Path upperFile) {
        try {
            Map<String, Object> a = Files.readAttributes(upperFile, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) a.get("mode");
            if (isWhiteout(mode, (Long) a.get("rdev"))) {
                return Kind.WHITEOUT;
            }
            return (mode & TYPE_MASK) == DIRECTORY ? Kind.DIRECTORY : Kind.OTHER;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stat " + upperFile, e);
        }
    }

    /** True if the upper directory hides the lower directory of its name entirely. */
    static boolean isOpaque(Path upperDirectory) {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(upperDirectory,
                UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        try {
            if (!view.list().contains(OPAQUE)) {
                return false;
            }
            ByteBuffer value = ByteBuffer.allocate(view.size(OPAQUE));
            view.read(OPAQUE, value);
            return value.flip().remaining() == 1 && value.get() == 'y';
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the extended attributes of " + upperDirectory, e);
        }
    }

    /**
     * True if nothing in or below the upper directory is a whiteout (or any other device) or an
     * opaque directory: moved as it is, it brings no overlay mark into the lower tree.
     */
    static boolean holdsNoOverlayMarks(Path upperDirectory) throws IOException {
        boolean[] marked = {false};
        Files.walkFileTree(upperDirectory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                marked[0] = isOpaque(dir);
                return marked[0] ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                marked[0] = attributes.isOther();
                return marked[0] ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
            }
        });
        return !marked[0];
    }

    static boolean exists(Path file) {
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS);
    }

    /** Mode, owner and mtime of directory {@code from} given to directory {@code to}. */
    static void copyAttributes(Path from, Path to) throws IOException {
        setAttributes(to, attributes(from));
    }

    /** A directory's mode, owner and mtime, read before its content moves (which changes its mtime). */
    static Map<String, Object> attributes(Path directory) throws IOException {
        return Files.readAttributes(directory, "unix:mode,uid,gid,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
    }

    static void setAttributes(Path to, Map<String, Object> a) throws IOException {
        Files.setAttribute(to, "unix:uid", a.get("uid"), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:gid", a.get("gid"), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(to, "unix:mode", (Integer) a.get("mode") & 07777, LinkOption.NOFOLLOW_LINKS);
        Files.getFileAttributeView(to, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes((FileTime) a.get("lastModifiedTime"), null, null);
    }
}
