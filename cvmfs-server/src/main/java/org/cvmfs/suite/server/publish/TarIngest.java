package org.cvmfs.suite.server.publish;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.ingest.ContentProcessor;
import org.cvmfs.suite.protocol.ingest.ProcessedContent;

/**
 * {@code cvmfs_server ingest}: a tarball streamed straight into the catalogs below a base
 * directory, never unpacked to disk. Members up to the minimum chunk size are read into memory
 * and processed in parallel; bigger ones stream through the processor in place. A path that
 * appears twice takes its last member. Missing parent directories are created (mode 0755);
 * existing entries are replaced. Members that would land outside the base directory, special
 * files and hard links to unknown members are refused. Names and link targets are the bytes the
 * tarball holds, whatever they are ({@link TarHeaderTap}).
 */
public final class TarIngest {
    /** Members at most this big are buffered and processed in parallel (they are never chunked). */
    private static final long IN_MEMORY_LIMIT = 4L << 20;

    private record Member(RepositoryPath path, char type, int permissions, long mtime, long uid, long gid,
                          String target, CompletableFuture<ProcessedContent> content) {
    }

    /** What was ingested, for the user. */
    public record Result(int directories, int files, int symlinks, long bytes) {
    }

    private TarIngest() {
    }

    /**
     * Reads {@code tar} (plain or gzip-compressed) and writes its members below {@code base};
     * {@code owner} is used for directories the tarball does not describe.
     */
    public static Result ingest(InputStream tar, RepositoryPath base, WritableCatalogManager catalogs,
                                ContentProcessor processor, long now, long ownerUid, long ownerGid,
                                Consumer<String> warnings) {
        Map<RepositoryPath, Member> members = new LinkedHashMap<>();
        TarHeaderTap tap;
        try {
            tap = new TarHeaderTap(decompressed(tar));
        } catch (IOException e) {
            throw new PublisherException(PublisherException.FAILED, "cannot read the tarball: " + e.getMessage(), e);
        }
        // ISO-8859-1: one char per byte, so names come back as the exact bytes (see TarHeaderTap)
        try (TarArchiveInputStream in = new TarArchiveInputStream(tap, StandardCharsets.ISO_8859_1.name())) {
            TarArchiveEntry e;
            while ((e = tap.next(in)) != null) {
                Member m = read(in, e, tap.name(e), tap.linkName(e), base, members, processor, warnings);
                if (m != null) {
                    members.remove(m.path);
                    members.put(m.path, m);
                }
            }
        } catch (IOException e) {
            throw new PublisherException(PublisherException.FAILED, "cannot read the tarball: " + e.getMessage(), e);
        }
        ensureDirectory(catalogs, base, now, ownerUid, ownerGid);
        int dirs = 0;
        int files = 0;
        int links = 0;
        long bytes = 0;
        for (Member m : members.values()) {
            String name = m.path.name();
            if (!m.path.equals(base)) {
                ensureDirectory(catalogs, m.path.parent(), now, ownerUid, ownerGid);
            }
            Optional<DirectoryEntry> existing = catalogs.lookup(m.path);
            switch (m.type) {
                case 'd' -> {
                    DirectoryEntry dir = CatalogEntries.directory(name, m.permissions, DirectoryEntry.DEFAULT_DIRECTORY_SIZE,
                            m.mtime, m.uid, m.gid);
                    if (existing.isPresent() && existing.get().isDirectory()) {
                        catalogs.setAttributes(m.path, dir);
                    } else {
                        existing.ifPresent(x -> catalogs.remove(m.path));
                        catalogs.addDirectory(m.path, dir);
                    }
                    dirs++;
                }
                case 'l' -> {
                    put(catalogs, m.path, existing, CatalogEntries.symlink(name, m.target, m.mtime, m.uid, m.gid), List.of());
                    links++;
                }
                default -> {
                    ProcessedContent c = ContentProcessor.await(m.content);
                    put(catalogs, m.path, existing, CatalogEntries.file(name, m.permissions, c, m.mtime, m.uid, m.gid),
                            c.chunks());
                    files++;
                    bytes += c.size();
                }
            }
        }
        return new Result(dirs, files, links, bytes);
    }

    private static Member read(TarArchiveInputStream in, TarArchiveEntry e, String name, String linkName, RepositoryPath base,
                               Map<RepositoryPath, Member> members, ContentProcessor processor,
                               Consumer<String> warnings) throws IOException {
        if (e.isGlobalPaxHeader() || e.isPaxHeader()) {
            return null;
        }
        RepositoryPath path = pathOf(base, name);
        long mtime = e.getLastModifiedTime().toInstant().getEpochSecond();
        int permissions = e.getMode() & 07777;
        long uid = e.getLongUserId();
        long gid = e.getLongGroupId();
        if (e.isDirectory()) {
            return new Member(path, 'd', permissions, mtime, uid, gid, "", null);
        }
        if (e.isSymbolicLink()) {
            return new Member(path, 'l', 0777, mtime, uid, gid, linkName, null);
        }
        if (e.isLink()) {
            Member target = members.get(pathOf(base, linkName));
            if (target == null || target.type != 'f') {
                throw new PublisherException(PublisherException.FAILED, "tar member " + printable(name)
                        + " is a hard link to " + printable(linkName) + ", which is not an earlier regular file");
            }
            return new Member(path, 'f', permissions, mtime, uid, gid, "", target.content);
        }
        byte flag = e.getLinkFlag();
        boolean regular = flag == TarConstants.LF_NORMAL || flag == TarConstants.LF_OLDNORM || flag == TarConstants.LF_CONTIG;
        if (!regular || e.isSparse()) {
            throw new PublisherException(PublisherException.FAILED, "tar member " + printable(name)
                    + " is a " + kind(e) + "; only directories, regular files and links can be ingested");
        }
        if (path.equals(base)) {
            throw new PublisherException(PublisherException.FAILED, "tar member " + printable(name)
                    + " is a file where the base directory " + base + " should be");
        }
        CompletableFuture<ProcessedContent> content;
        if (e.getSize() <= IN_MEMORY_LIMIT) {
            byte[] bytes = in.readNBytes((int) e.getSize());
            if (bytes.length != e.getSize()) {
                throw new PublisherException(PublisherException.FAILED, "tarball ends inside member " + printable(name));
            }
            content = processor.submit(bytes, name);
        } else {
            content = CompletableFuture.completedFuture(processor.process(in, name));
            if (ContentProcessor.await(content).size() != e.getSize()) {
                throw new PublisherException(PublisherException.FAILED, "tarball ends inside member " + printable(name));
            }
        }
        return new Member(path, 'f', permissions, mtime, uid, gid, "", content);
    }

    /** The member's repository path; {@code ./a//b/} is {@code a/b}; escaping the base is refused. */
    static RepositoryPath pathOf(RepositoryPath base, String name) {
        RepositoryPath p = base;
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new PublisherException(PublisherException.FAILED, "tar member " + printable(name)
                        + " climbs out of the base directory with '..'");
            }
            try {
                p = p.child(part);
            } catch (IllegalArgumentException ex) {
                throw new PublisherException(PublisherException.FAILED, "tar member " + printable(name) + ": " + ex.getMessage());
            }
        }
        return p;
    }

    private static void put(WritableCatalogManager catalogs, RepositoryPath path, Optional<DirectoryEntry> existing,
                            DirectoryEntry entry, List<org.cvmfs.suite.protocol.catalog.Chunk> chunks) {
        if (existing.isPresent()) {
            catalogs.replaceFile(path, entry, chunks);
        } else if (entry.isSymlink()) {
            catalogs.addSymlink(path, entry);
        } else {
            catalogs.addFile(path, entry, chunks);
        }
    }

    /** Creates {@code dir} and its missing ancestors; refuses a non-directory in the way. */
    private static void ensureDirectory(WritableCatalogManager catalogs, RepositoryPath dir, long now, long uid, long gid) {
        List<RepositoryPath> missing = new ArrayList<>();
        RepositoryPath p = dir;
        while (true) {
            Optional<DirectoryEntry> e = catalogs.lookup(p);
            if (e.isPresent()) {
                if (!e.get().isDirectory()) {
                    throw new PublisherException(PublisherException.NOT_A_DIRECTORY, p + " is a "
                            + e.get().kind().name().toLowerCase(java.util.Locale.ROOT) + ", not a directory");
                }
                break;
            }
            missing.add(0, p);
            p = p.parent();
        }
        for (RepositoryPath m : missing) {
            catalogs.addDirectory(m, CatalogEntries.directory(m.name(), 0755, DirectoryEntry.DEFAULT_DIRECTORY_SIZE, now, uid, gid));
        }
    }

    private static InputStream decompressed(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
    }

    private static String kind(TarArchiveEntry e) {
        if (e.isFIFO()) {
            return "FIFO";
        }
        if (e.isCharacterDevice()) {
            return "character device";
        }
        if (e.isBlockDevice()) {
            return "block device";
        }
        return e.isSparse() ? "sparse file" : "member of type '" + (char) e.getLinkFlag() + "'";
    }

    private static String printable(String s) {
        return TreeScanner.printable(s);
    }

}
