package org.cvmfs.suite.server.publish;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.files.AtomicFile;

/**
 * Stores the snapshot of a working tree taken right after materialisation, the "before" of the
 * next {@link ChangeSet}. Binary, with a SHA-1 trailer, replaced through {@link AtomicFile},
 * so that a crash leaves either the old or the new snapshot and a damaged file is recognised.
 */
public final class TreeSnapshotFile {
    private static final byte[] MAGIC = "cvmfs-suite tree snapshot\n".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 2;

    private TreeSnapshotFile() {
    }

    public static void write(Path file, TreeSnapshot snapshot) {
        ScannedTree tree = snapshot.tree();
        try {
            Files.createDirectories(file.getParent());
            AtomicFile.replace(file, AtomicFile.OWNER_ONLY, buffered -> {
                MessageDigest sha1 = sha1();
                DataOutputStream out = new DataOutputStream(new DigestOutputStream(buffered, sha1));
                out.write(MAGIC);
                out.writeInt(VERSION);
                out.writeLong(snapshot.stampNanos());
                EntryRecord.writeString(out, tree.root().toString());
                out.writeInt(tree.size());
                for (ScannedEntry e : tree.entries().values()) {
                    EntryRecord.write(out, e);
                    EntryRecord.writeString(out, snapshot.contents().getOrDefault(e.path(), ""));
                }
                out.flush();
                buffered.write(sha1.digest());
            });
        } catch (IOException | UncheckedIOException e) {
            throw new UncheckedIOException("cannot write tree snapshot " + file,
                    e instanceof UncheckedIOException u ? u.getCause() : (IOException) e);
        }
    }

    /**
     * The snapshot in {@code file}, or {@link TreeSnapshot#empty} when there is none or it is
     * damaged (said through {@code warnings}): a tree without a trusted snapshot is fetched whole.
     */
    public static TreeSnapshot readOrEmpty(Path file, RepositoryPath root, Consumer<String> warnings) {
        if (!Files.exists(file)) {
            return TreeSnapshot.empty(root);
        }
        try {
            return read(file);
        } catch (IllegalStateException damaged) {
            warnings.accept(damaged.getMessage() + "; fetching the whole subtree again");
            return TreeSnapshot.empty(root);
        }
    }

    public static TreeSnapshot read(Path file) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            MessageDigest sha1 = sha1();
            DataInputStream in = new DataInputStream(new DigestInputStream(raw, sha1));
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw damaged(file, "it does not start with the snapshot magic");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw damaged(file, "version " + version + " is not " + VERSION);
            }
            long stamp = in.readLong();
            RepositoryPath root = RepositoryPath.of(readString(in, file, "root"));
            int count = in.readInt();
            if (count < 0) {
                throw damaged(file, "entry count " + count + " is negative");
            }
            TreeMap<RepositoryPath, ScannedEntry> entries = new TreeMap<>();
            Map<RepositoryPath, String> contents = new HashMap<>();
            for (int i = 0; i < count; i++) {
                ScannedEntry e = EntryRecord.read(in, why -> damaged(file, why));
                RepositoryPath path = e.path();
                if (entries.put(path, e) != null) {
                    throw damaged(file, "path " + path + " appears twice");
                }
                String content = readString(in, file, "content id");
                if (!content.isEmpty()) {
                    contents.put(path, content);
                }
            }
            byte[] expected = sha1.digest();
            byte[] trailer = raw.readNBytes(expected.length + 1);
            if (trailer.length != expected.length || !MessageDigest.isEqual(trailer, expected)) {
                throw damaged(file, "its checksum does not match");
            }
            return new TreeSnapshot(new ScannedTree(root, entries), stamp, contents);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("tree snapshot " + file + " is missing", e);
        } catch (EOFException e) {
            throw damaged(file, "it is truncated");
        } catch (IllegalArgumentException e) {
            throw damaged(file, e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tree snapshot " + file, e);
        }
    }

    private static String readString(DataInputStream in, Path file, String field) throws IOException {
        return EntryRecord.readString(in, field, why -> damaged(file, why));
    }

    private static IllegalStateException damaged(Path file, String why) {
        return new IllegalStateException("tree snapshot " + file + " is damaged: " + why);
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 missing from the JDK", e);
        }
    }

}
