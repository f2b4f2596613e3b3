package org.cvmfs.suite.protocol.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;
import org.sqlite.util.OSInfo;

/**
 * Where the SQLite driver loads its native library from. Left alone, sqlite-jdbc writes the
 * library from its jar to a new file in the temporary directory in every process, reads both
 * back to compare them and deletes the file at exit: about 0.1 s of every short command (issue
 * 11: 13 % of a {@code cvmfs_server transaction}'s main thread), and a megabyte created and
 * deleted each time. Instead the library is written once per driver version into the user's own
 * cache directory ({@code $XDG_CACHE_HOME/cvmfs-suite}, else {@code ~/.cache/cvmfs-suite}, as
 * the launchers' class-data-sharing archives), as a temporary file renamed into place, and later
 * processes load that copy when its size is the jar's. A library file can be loaded by one class
 * loader of a JVM only, so only the application class loader (the command-line tools' plain class
 * path) takes the copy; a Quarkus application's class loaders, a JVM without a cache directory
 * the user owns, or one with {@code org.sqlite.lib.path} set already keep the driver's own way
 * (which also remains its fallback: the copy has the library's own file name).
 */
final class SqliteNativeLibrary {
    static final String PATH_PROPERTY = "org.sqlite.lib.path";

    private SqliteNativeLibrary() {
    }

    /** Points the driver at the cached copy, making it first; changes nothing when it cannot. */
    static void preferCachedCopy() {
        if (System.getProperty(PATH_PROPERTY) != null
                || SqliteNativeLibrary.class.getClassLoader() != ClassLoader.getSystemClassLoader()) {
            return;
        }
        userCacheDirectory().flatMap(SqliteNativeLibrary::cachedCopy)
                .ifPresent(library -> System.setProperty(PATH_PROPERTY, library.getParent().toString()));
    }

    /**
     * The copy of this driver's library for this platform below {@code cache}
     * ({@code sqlite-jdbc-VERSION-OS-ARCH/libsqlitejdbc.so}), written if missing or short.
     */
    static Optional<Path> cachedCopy(Path cache) {
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
        URL url = SQLiteJDBCLoader.class.getResource(resource);
        if (url == null) {
            return Optional.empty();
        }
        try {
            Path directory = Files.createDirectories(cache.resolve("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion() + "-"
                    + OSInfo.getNativeLibFolderPathForCurrentOS().replace('/', '-')));
            Path library = directory.resolve(LibraryLoaderUtil.getNativeLibName());
            URLConnection connection = url.openConnection();
            long size = connection.getContentLengthLong();
            if (Files.isRegularFile(library) && Files.size(library) == size) {
                return Optional.of(library);
            }
            Path temporary = Files.createTempFile(directory, ".sqlite-jdbc-", ".tmp");
            try (InputStream in = connection.getInputStream()) {
                Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
                Files.move(temporary, library, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temporary);
            }
            return Files.size(library) == size ? Optional.of(library) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> userCacheDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        String home = System.getProperty("user.home");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg)
                : home == null || home.isEmpty() || home.equals("?") ? null : Path.of(home, ".cache");
        if (base == null) {
            return Optional.empty();
        }
        try {
            Path cache = Files.createDirectories(base.resolve("cvmfs-suite"));
            boolean own = Files.getOwner(cache).getName().equals(System.getProperty("user.name"));
            return own && Files.isWritable(cache) ? Optional.of(cache) : Optional.empty();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }
}
