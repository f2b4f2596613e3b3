package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The upper layer of an overlay transaction written out to disk while the publication runs. The
 * overlay is mounted {@code volatile} ({@link WorkTreeMount#mountOverlay}), so unmounting it no
 * longer syncs the spool's file system; but the fold then moves the upper files into the lower
 * tree and records that tree current, and a power cut must not leave it recorded with file data
 * the disk never got (a changed file copied up from a truncated lower one would then be
 * published). So a {@code sync -f} of the spool's file system starts as soon as the upper layer is
 * frozen, runs beside scanning, compression, upload and commit, and the fold waits for it: what
 * the unmount used to cost while the publisher waited now mostly overlaps its work.
 */
final class UpperWriteback {
    private final Process sync;
    private final Path upper;

    private UpperWriteback(Process sync, Path upper) {
        this.sync = sync;
        this.upper = upper;
    }

    /** Starts writing out the file system of {@code upper}; null when {@code sync} cannot be started. */
    static UpperWriteback start(Path upper, Consumer<String> warn) {
        try {
            Process p = new ProcessBuilder("sync", "-f", upper.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return new UpperWriteback(p, upper);
        } catch (IOException e) {
            warn.accept("cannot sync " + upper + " before folding it (" + e.getMessage() + "); its data reaches the disk later");
            return null;
        }
    }

    /** Waits until the writeback ended; a failed one is a warning, as a sync that never ran. */
    void await(Consumer<String> warn) {
        try {
            int status = sync.waitFor();
            if (status != 0) {
                warn.accept("sync -f " + upper + " exited with " + status + "; its data reaches the disk later");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublisherException(PublisherException.FAILED, "interrupted while syncing " + upper, e);
        }
    }
}
