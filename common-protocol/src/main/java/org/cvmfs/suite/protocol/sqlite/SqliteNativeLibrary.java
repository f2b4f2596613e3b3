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

/**
 * Where the SQLite driver loads its native library from. Left alone, sqlite-jdbc writes the
 * library from its jar to a new file in the temporary directory in every process, reads both
 * back to compare them and deletes the file at exit: about 0.1 s of every short command (issue
 * 11: 13 % of a {@code cvmfs_server transaction}'s main thread), and a megabyte created and
 * deleted each time. Instead the library is written once per driver version into the user's
 * suite directory, which the launcher of the command-line tools chose for its class-data-sharing
 * archives (owned by the user, writable) and passes as {@value #CACHE_PROPERTY}, as a temporary
 * file renamed into place; later processes load that copy when its size is the jar's. A library
 * file can be loaded by one class loader of a JVM only, so only the application class loader (the
 * tools' plain class path) takes the copy. A JVM without {@value #CACHE_PROPERTY} (the daemons,
 * tests), or with {@code org.sqlite.lib.path} set already, keeps the driver's own way, which also
 * remains its fallback: the copy has the library's own file name.
 */
final class SqliteNativeLibrary {
    static final String PATH_PROPERTY = "org.sqlite.lib.path";
    /** The user's suite directory, given by {@code deploy/lib/suite-launcher.sh} ({@code run_suite_main}). */
    static final String CACHE_PROPERTY = "cvmfs.suite.cache";
    /** What stands before the platform's folder in the driver's resource path ({@code /org/sqlite/native/Linux/x86_64}). */
    private static final String NATIVE = "/native/";

    private SqliteNativeLibrary() {
    }

    /** Points the driver at the cached copy, making it first; changes nothing when it cannot. */
    static void preferCachedCopy() {
        String cache = System.getProperty(CACHE_PROPERTY);
        if (cache == null || System.getProperty(PATH_PROPERTY) != null
                || SqliteNativeLibrary.class.getClassLoader() != ClassLoader.getSystemClassLoader()) {
            return;
        }
        cachedCopy(Path.of(cache)).ifPresent(library -> System.setProperty(PATH_PROPERTY, library.getParent().toString()));
    }

    /**
     * The copy of this driver's library for this platform below {@code cache}
     * ({@code sqlite-jdbc-VERSION-OS-ARCH/libsqlitejdbc.so}), written if missing or short.
     */
    static Optional<Path> cachedCopy(Path cache) {
        // asked once: the driver finds its platform's folder by running uname in a new process
        String resourceDirectory = LibraryLoaderUtil.getNativeLibResourcePath();
        String platform = resourceDirectory.substring(resourceDirectory.indexOf(NATIVE) + NATIVE.length());
        URL url = SQLiteJDBCLoader.class.getResource(resourceDirectory + "/" + LibraryLoaderUtil.getNativeLibName());
        if (url == null) {
            return Optional.empty();
        }
        try {
            Path directory = Files.createDirectories(cache.resolve("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion() + "-"
                    + platform.replace('/', '-')));
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
}
