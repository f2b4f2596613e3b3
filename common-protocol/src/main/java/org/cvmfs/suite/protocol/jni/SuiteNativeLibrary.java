package org.cvmfs.suite.protocol.jni;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The suite's JNI library, {@value #FILE}, built from {@code src/main/c} into this package's
 * folder of the classes (and so of the jar). It binds the native libraries that do the
 * publisher's and the gateway's byte work faster than Java under the launchers' C1-only JIT:
 * libdeflate for compression ({@code ingest.NativeDeflate}) and OpenSSL's libcrypto for SHA-1
 * ({@code hash.NativeSha1}). Each of those finds its own library with {@code dlopen} at run time,
 * so this one builds and loads without them.
 *
 * <p>Where it was not built (no C compiler at build time), or does not load (another platform, a
 * {@code noexec} temporary directory), {@link #loaded} is false and the suite does the same work
 * in Java. A library inside a jar is copied to a new temporary file, loaded and deleted (once per
 * JVM, on first use); a copy of its own also lets a second class loader load it.
 */
public final class SuiteNativeLibrary {
    static final String FILE = "libcvmfs_suite_native.so";

    private SuiteNativeLibrary() {
    }

    /** Whether the library is loaded in this JVM (loading it on the first call); the answer is kept. */
    public static boolean loaded() {
        return Holder.LOADED;
    }

    /** Loads the library on first use, so that a command that needs none of it never does. */
    private static final class Holder {
        static final boolean LOADED = load();

        private static boolean load() {
            URL url = SuiteNativeLibrary.class.getResource(FILE);
            if (url == null) {
                return false;
            }
            try {
                if ("file".equals(url.getProtocol())) {
                    System.load(Path.of(url.toURI()).toString());
                } else {
                    loadCopy(url);
                }
                return true;
            } catch (IOException | UnsatisfiedLinkError | URISyntaxException | SecurityException e) {
                return false;
            }
        }

        private static void loadCopy(URL url) throws IOException {
            Path copy = Files.createTempFile("cvmfs-suite-native", ".so");
            try (InputStream in = url.openStream()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                System.load(copy.toString());
            } finally {
                Files.deleteIfExists(copy);
            }
        }
    }
}
