package org.cvmfs.suite.protocol.catalog;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The 24 statistics of a catalog (spec 6.10): each of the twelve {@link Field}s counted for
 * this catalog's own rows ({@code self_*}) and for all catalogs below it ({@code subtree_*}).
 * Immutable; also used for differences, which may be negative.
 */
public final class CatalogCounters {
    /** The counted quantities, named as in the {@code statistics} table. */
    public enum Field {
        REGULAR("regular"),
        SYMLINK("symlink"),
        SPECIAL("special"),
        DIR("dir"),
        NESTED("nested"),
        CHUNKED("chunked"),
        CHUNKS("chunks"),
        FILE_SIZE("file_size"),
        CHUNKED_SIZE("chunked_size"),
        XATTR("xattr"),
        EXTERNAL("external"),
        EXTERNAL_FILE_SIZE("external_file_size");

        private final String key;

        Field(String key) {
            this.key = key;
        }

        public String selfKey() {
            return "self_" + key;
        }

        public String subtreeKey() {
            return "subtree_" + key;
        }
    }

    private static final Field[] FIELDS = Field.values();
    private static final int N = FIELDS.length;

    public static final CatalogCounters ZERO = new CatalogCounters(new long[N], new long[N]);

    private final long[] self;
    private final long[] subtree;

    private CatalogCounters(long[] self, long[] subtree) {
        this.self = self;
        this.subtree = subtree;
    }

    /** What one row contributes to {@code self_*}; {@code chunkCount} is its number of chunk rows. */
    public static CatalogCounters ofEntry(DirectoryEntry e, int chunkCount) {
        long[] s = new long[N];
        switch (e.kind()) {
            case DIRECTORY -> {
                s[Field.DIR.ordinal()] = 1;
                if (e.nestedMountpoint()) {
                    s[Field.NESTED.ordinal()] = 1;
                }
            }
            case REGULAR -> {
                s[Field.REGULAR.ordinal()] = 1;
                s[Field.FILE_SIZE.ordinal()] = e.size();
                if (e.chunked()) {
                    s[Field.CHUNKED.ordinal()] = 1;
                    s[Field.CHUNKED_SIZE.ordinal()] = e.size();
                }
                if (e.external()) {
                    s[Field.EXTERNAL.ordinal()] = 1;
                    s[Field.EXTERNAL_FILE_SIZE.ordinal()] = e.size();
                }
            }
            case SYMLINK -> s[Field.SYMLINK.ordinal()] = 1;
            case SPECIAL -> s[Field.SPECIAL.ordinal()] = 1;
        }
        s[Field.CHUNKS.ordinal()] = chunkCount;
        if (!e.xattrs().isEmpty()) {
            s[Field.XATTR.ordinal()] = 1;
        }
        return new CatalogCounters(s, new long[N]);
    }

    /** Reads the {@code statistics} rows; counters missing from older schema revisions are 0. */
    public static CatalogCounters fromStatistics(Map<String, Long> rows) {
        long[] s = new long[N];
        long[] t = new long[N];
        for (Field f : FIELDS) {
            s[f.ordinal()] = rows.getOrDefault(f.selfKey(), 0L);
            t[f.ordinal()] = rows.getOrDefault(f.subtreeKey(), 0L);
        }
        return new CatalogCounters(s, t);
    }

    /** All 24 rows of the {@code statistics} table, {@code self_*} first. */
    public Map<String, Long> toStatistics() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Field f : FIELDS) {
            m.put(f.selfKey(), self[f.ordinal()]);
        }
        for (Field f : FIELDS) {
            m.put(f.subtreeKey(), subtree[f.ordinal()]);
        }
        return m;
    }

    public long self(Field f) {
        return self[f.ordinal()];
    }

    public long subtree(Field f) {
        return subtree[f.ordinal()];
    }

    /** This catalog and everything below it. */
    public long total(Field f) {
        return self[f.ordinal()] + subtree[f.ordinal()];
    }

    public CatalogCounters plus(CatalogCounters o) {
        long[] s = new long[N];
        long[] t = new long[N];
        for (int i = 0; i < N; i++) {
            s[i] = self[i] + o.self[i];
            t[i] = subtree[i] + o.subtree[i];
        }
        return new CatalogCounters(s, t);
    }

    public CatalogCounters minus(CatalogCounters o) {
        long[] s = new long[N];
        long[] t = new long[N];
        for (int i = 0; i < N; i++) {
            s[i] = self[i] - o.self[i];
            t[i] = subtree[i] - o.subtree[i];
        }
        return new CatalogCounters(s, t);
    }

    /**
     * What this catalog adds to its parent's counters: its self and subtree values summed into
     * the {@code subtree} half, nothing in {@code self}.
     */
    public CatalogCounters asSubtree() {
        long[] t = new long[N];
        for (int i = 0; i < N; i++) {
            t[i] = self[i] + subtree[i];
        }
        return new CatalogCounters(new long[N], t);
    }

    /** The same self values with {@code subtree} taken from {@code other}. */
    public CatalogCounters withSubtreeOf(CatalogCounters other) {
        return new CatalogCounters(self.clone(), other.subtree.clone());
    }

    /** Human-readable list of the counters where this differs from {@code expected}. */
    public List<String> differences(CatalogCounters expected) {
        List<String> out = new ArrayList<>();
        Map<String, Long> mine = toStatistics();
        expected.toStatistics().forEach((k, v) -> {
            long actual = mine.get(k);
            if (actual != v) {
                out.add(k + " is " + actual + ", expected " + v);
            }
        });
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CatalogCounters c && Arrays.equals(self, c.self) && Arrays.equals(subtree, c.subtree);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(self) * 31 + Arrays.hashCode(subtree);
    }

    @Override
    public String toString() {
        return toStatistics().toString();
    }
}
