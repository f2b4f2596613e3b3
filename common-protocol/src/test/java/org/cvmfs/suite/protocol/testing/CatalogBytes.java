package org.cvmfs.suite.protocol.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cvmfs.suite.protocol.store.Zlib;

/** Catalog bytes compressed as a finished catalog file is, for tests that hold the bytes. */
public final class CatalogBytes {
    private CatalogBytes() {
    }

    /** {@link Zlib#compressCatalog} of {@code catalog}, staged as a file in {@code dir}. */
    public static byte[] compressed(byte[] catalog, Path dir) {
        try {
            Files.createDirectories(dir);
            Path file = Files.createTempFile(dir, "catalog", ".sqlite");
            try {
                Files.write(file, catalog);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Zlib.compressCatalog(file, out);
                return out.toByteArray();
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
