package org.cvmfs.suite.protocol.catalog;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cvmfs.suite.protocol.hash.PathHash;
import org.cvmfs.suite.protocol.sqlite.DatabasePages;
import org.cvmfs.suite.protocol.sqlite.SqliteException;
import org.cvmfs.suite.protocol.sqlite.SqliteFile;

/**
 * Where two revisions of one catalog (the same mountpoint, before and after a publication)
 * differ: the directories with a changed row somewhere below them inside the catalog. A diff
 * may skip a directory this does not name: its listing, and its subdirectories' listings down
 * to the catalog's edge, are the same on both sides. So the gateway's merge of a one-file change
 * into a flat catalog of 10,000 entries lists the directories above the file, not all of them.
 *
 * <p>How: a publisher edits a catalog in place, so the two files share almost all their pages.
 * Every row lives on one leaf page of the {@code catalog} table's b-tree; a row on a leaf page
 * that both files have at the same place with the same bytes is the same row on both sides
 * (unless part of it lies on overflow pages, which count as changed). Every row on any other
 * leaf page, of either file, is taken as changed: its parent directory, and that directory's
 * ancestors up to the catalog's root, have a change below them. A mountpoint whose
 * {@code nested_catalogs} reference differs counts as a changed row. Taking too many rows as
 * changed only makes the diff list more; a file this cannot read that way (another page size,
 * columns in another order, a page it does not understand), or two files that differ in most of
 * their pages, make every directory count as changed, and the diff lists them all, as it would
 * without this.
 */
public final class CatalogDelta {
    /** md5path_1, md5path_2, parent_1, parent_2: the leading columns of the catalog table in every schema. */
    private static final List<String> LEADING = List.of("md5path_1", "md5path_2", "parent_1", "parent_2");
    private static final String PARENT = "SELECT parent_1, parent_2 FROM catalog WHERE md5path_1 = ? AND md5path_2 = ?";

    /** Path hashes of the directories with a changed row below them; null: every directory. */
    private final Set<PathHash> changedBelow;

    private CatalogDelta(Set<PathHash> changedBelow) {
        this.changedBelow = changedBelow;
    }

    /** Compares {@code older} with {@code newer}, both revisions of the catalog mounted at one place. */
    public static CatalogDelta between(Catalog older, Catalog newer) {
        SqliteFile olderDb = older.database();
        SqliteFile newerDb = newer.database();
        Deque<PathHash> changed = new ArrayDeque<>();
        try {
            if (!leadingColumnsKnown(olderDb) || !leadingColumnsKnown(newerDb)
                    || !changedRowParents(olderDb, newerDb, changed)) {
                return new CatalogDelta(null);
            }
        } catch (SqliteException e) {
            return new CatalogDelta(null);
        }
        Set<NestedCatalogRef> olderRefs = new HashSet<>(older.nestedCatalogs());
        Set<NestedCatalogRef> newerRefs = new HashSet<>(newer.nestedCatalogs());
        Set<NestedCatalogRef> differing = new HashSet<>(olderRefs);
        differing.addAll(newerRefs);
        olderRefs.retainAll(newerRefs);
        differing.removeAll(olderRefs);
        for (NestedCatalogRef ref : differing) {
            changed.addAll(parents(older, newer, ref.path().pathHash()));
        }
        Set<PathHash> below = new HashSet<>();
        while (!changed.isEmpty()) {
            PathHash directory = changed.pop();
            if (below.add(directory)) {
                changed.addAll(parents(older, newer, directory));
            }
        }
        return new CatalogDelta(below);
    }

    /**
     * Whether rows below {@code directory} (in this catalog) may differ; false means its listing
     * and those of its subdirectories inside the catalog are the same in both revisions.
     */
    public boolean changedBelow(RepositoryPath directory) {
        return changedBelow == null || changedBelow.contains(directory.pathHash());
    }

    /** True if the catalog table's first columns are the four path hashes, in that order. */
    private static boolean leadingColumnsKnown(SqliteFile db) {
        try (PreparedStatement s = db.prepare("SELECT name FROM pragma_table_info('catalog') ORDER BY cid LIMIT 4");
             ResultSet rs = s.executeQuery()) {
            for (String column : LEADING) {
                if (!rs.next() || !column.equals(rs.getString(1))) {
                    return false;
                }
            }
            return true;
        } catch (SQLException e) {
            throw new SqliteException("cannot read the columns of " + db.path() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Adds the parent of every row on a leaf page that is not the same in both files; false
     * (nothing added) when most pages differ, as after a large change or a vacuum: the rows would
     * name most directories, and reading them costs more than the listings they would spare.
     */
    private static boolean changedRowParents(SqliteFile olderDb, SqliteFile newerDb, Deque<PathHash> out) {
        try (DatabasePages olderPages = DatabasePages.open(olderDb.path());
             DatabasePages newerPages = DatabasePages.open(newerDb.path())) {
            BitSet olderLeaves = olderPages.tableLeaves(rootPage(olderDb));
            BitSet newerLeaves = newerPages.tableLeaves(rootPage(newerDb));
            BitSet same = new BitSet();
            for (int page = olderLeaves.nextSetBit(0); page >= 0; page = olderLeaves.nextSetBit(page + 1)) {
                if (newerLeaves.get(page) && olderPages.samePage(newerPages, page)) {
                    same.set(page);
                }
            }
            int differing = olderLeaves.cardinality() + newerLeaves.cardinality() - 2 * same.cardinality();
            if (differing > (olderLeaves.cardinality() + newerLeaves.cardinality()) / 2) {
                return false;
            }
            DatabasePages.RowVisitor changed = leading -> out.add(new PathHash(leading[2], leading[3]));
            for (int page = olderLeaves.nextSetBit(0); page >= 0; page = olderLeaves.nextSetBit(page + 1)) {
                olderPages.forEachRow(page, LEADING.size(), same.get(page), changed);
            }
            for (int page = newerLeaves.nextSetBit(0); page >= 0; page = newerLeaves.nextSetBit(page + 1)) {
                if (!same.get(page)) {
                    newerPages.forEachRow(page, LEADING.size(), false, changed);
                }
            }
            return true;
        }
    }

    private static int rootPage(SqliteFile db) {
        try (PreparedStatement s = db.prepare("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'catalog'");
             ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                throw new SqliteException(db.path() + " has no catalog table");
            }
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new SqliteException("cannot read the schema of " + db.path() + ": " + e.getMessage(), e);
        }
    }

    /** The parent hashes the row {@code key} names on either side (none for a path no row has). */
    private static Set<PathHash> parents(Catalog older, Catalog newer, PathHash key) {
        Set<PathHash> out = new HashSet<>(2);
        for (Catalog catalog : List.of(older, newer)) {
            try {
                PreparedStatement s = catalog.statement(PARENT);
                s.setLong(1, key.high());
                s.setLong(2, key.low());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new PathHash(rs.getLong(1), rs.getLong(2)));
                    }
                }
            } catch (SQLException e) {
                throw catalog.sqlFailure("look up a parent", e);
            }
        }
        return out;
    }
}
