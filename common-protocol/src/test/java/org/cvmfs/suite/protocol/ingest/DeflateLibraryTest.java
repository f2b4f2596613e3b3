package org.cvmfs.suite.protocol.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DeflateLibraryTest {
    @Test
    void configNamesAreReadWhateverTheirCase() {
        assertEquals(DeflateLibrary.ZLIB, DeflateLibrary.fromConfigName("zlib"));
        assertEquals(DeflateLibrary.LIBDEFLATE, DeflateLibrary.fromConfigName("LibDeflate"));
        assertEquals("libdeflate", DeflateLibrary.LIBDEFLATE.configName());
    }

    @Test
    void anUnknownLibraryIsNamedInTheError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeflateLibrary.fromConfigName("zopfli"));
        assertEquals("unknown deflate library 'zopfli' (expected zlib or libdeflate)", e.getMessage());
    }

    @Test
    void settingsKeepTheirLibraryThroughEveryChange() {
        IngestSettings settings = IngestSettings.defaults().withDeflateLibrary(DeflateLibrary.LIBDEFLATE);
        assertEquals(DeflateLibrary.ZLIB, IngestSettings.defaults().deflateLibrary());
        assertEquals(DeflateLibrary.LIBDEFLATE, settings.withoutChunking().deflateLibrary());
        assertEquals(DeflateLibrary.LIBDEFLATE, settings.withChunking(ChunkDetector.defaults()).deflateLibrary());
    }
}
