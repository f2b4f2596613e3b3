package org.cvmfs.suite.protocol.store;

/**
 * The largest responses a {@link RepositorySource} accepts. A hostile or broken server must not
 * make us buffer unbounded data; the defaults are far above anything a repository holds (chunks
 * are at most 16 MiB before compression, manifests a few KiB, reflogs a few MiB).
 *
 * @param maxRootFileBytes largest root file, e.g. {@code .cvmfsreflog}
 * @param maxObjectBytes   largest stored object (catalogs and unchunked files can be large)
 */
public record FetchLimits(long maxRootFileBytes, long maxObjectBytes) {
    public static final FetchLimits DEFAULT = new FetchLimits(256L << 20, 1L << 30);

    public FetchLimits {
        if (maxRootFileBytes <= 0 || maxObjectBytes <= 0 || maxObjectBytes > Integer.MAX_VALUE - 8
                || maxRootFileBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("fetch limits must be positive and fit a byte array: "
                    + maxRootFileBytes + ", " + maxObjectBytes);
        }
    }
}
