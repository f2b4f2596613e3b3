package org.cvmfs.suite.protocol.hash;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.cvmfs.suite.protocol.name.RawName;

/**
 * MD5 of a repository path split into two little-endian signed longs, the primary key of catalog
 * rows ({@code md5path_1/2}, {@code parent_1/2}). Paths are absolute, without trailing slash; the
 * root is the empty string. The hash is over the path's bytes ({@link RawName}), valid UTF-8 or not.
 */
public record PathHash(long high, long low) {
    /** The {@code parent} of the root entry in the root catalog. */
    public static final PathHash NONE = new PathHash(0, 0);

    public static PathHash of(String path) {
        return of(RawName.encode(path));
    }

    public static PathHash of(byte[] pathBytes) {
        ByteBuffer b = ByteBuffer.wrap(md5(pathBytes)).order(ByteOrder.LITTLE_ENDIAN);
        return new PathHash(b.getLong(0), b.getLong(8));
    }

    public static byte[] md5(byte[] data) {
        try {
            return MessageDigest.getInstance("MD5").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 missing from the JDK", e);
        }
    }
}
