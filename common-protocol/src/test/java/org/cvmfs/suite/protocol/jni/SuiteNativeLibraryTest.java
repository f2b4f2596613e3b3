package org.cvmfs.suite.protocol.jni;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** The library the build put beside the class loads (where a C compiler built it). */
class SuiteNativeLibraryTest {
    @Test
    void theBuiltLibraryLoads() {
        assumeTrue(SuiteNativeLibrary.class.getResource(SuiteNativeLibrary.FILE) != null,
                "the build made no " + SuiteNativeLibrary.FILE + " (no C compiler)");
        assertTrue(SuiteNativeLibrary.loaded());
    }
}
