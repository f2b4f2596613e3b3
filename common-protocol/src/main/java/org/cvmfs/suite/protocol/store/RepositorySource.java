package org.cvmfs.suite.protocol.store;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import org.cvmfs.suite.protocol.hash.ContentHash;

/**
 * Read access to a served repository, wherever it is: a local directory such as
 * {@code /srv/cvmfs/REPO} or an HTTP base URL such as {@code http://host/cvmfs/REPO}.
 */
public interface RepositorySource {
    /** A file at the repository root ({@code .cvmfspublished}, {@code .cvmfswhitelist}, ...). */
    byte[] fetchRootFile(String name);

    /** The stored bytes of an object, verified against its name. */
    byte[] fetchObject(ContentHash hash);

    /**
     * The stored bytes of an object as a stream, for objects too large to hold (catalogs),
     * verified against its name once read to the end: a mismatch throws
     * {@link CorruptObjectException} there. By default, {@link #fetchObject}'s bytes.
     */
    default InputStream openObject(ContentHash hash) {
        return new ByteArrayInputStream(fetchObject(hash));
    }

    boolean hasObject(ContentHash hash);

    /** Where the bytes come from, for messages. */
    String describe();
}
