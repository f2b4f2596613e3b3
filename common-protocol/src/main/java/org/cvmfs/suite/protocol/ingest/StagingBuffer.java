package org.cvmfs.suite.protocol.ingest;

/**
 * One ingest thread's staging memory, lent to one {@link StagedObject} at a time and kept, grown
 * to the largest object it held (at most the staging limit), for the next one. Why: a fresh
 * array per object made the publisher allocate about twice the stored bytes of a publication
 * (each object's array doubled its way up), over 1 GB for a 1 GiB file; the arrays of big chunks
 * outlived young collections, and the serial collector grows the old generation rather than
 * collect it, so the heap, and the resident set with it, grew with the publication (issue 11).
 */
final class StagingBuffer {
    private byte[] bytes = new byte[256];
    private boolean lent;

    /** The array, for one object until it gives it back; refused while another object has it. */
    byte[] lend() {
        if (lent) {
            throw new IllegalStateException("staging buffer already lent to another object");
        }
        lent = true;
        return bytes;
    }

    /** Takes the array back, maybe a larger one than was lent. */
    void giveBack(byte[] array) {
        bytes = array;
        lent = false;
    }

    int capacity() {
        return bytes.length;
    }
}
