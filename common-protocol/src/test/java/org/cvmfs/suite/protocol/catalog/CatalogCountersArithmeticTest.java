package org.cvmfs.suite.protocol.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cvmfs.suite.protocol.catalog.CatalogCounters.Field;
import org.junit.jupiter.api.Test;

/**
 * The statistics arithmetic a commit relies on (spec 6.10), field by field: the 24 rows in table
 * order, what a nested catalog hands its parent, differences (which may be negative) and the
 * verifier's report of mismatches, with distinct values per row so that PIT's mutants die (issue 9).
 */
class CatalogCountersArithmeticTest {
    /** Distinct values per row, so a field mixed up with another shows. */
    private static CatalogCounters numbered(long base) {
        Map<String, Long> rows = new LinkedHashMap<>();
        for (Field f : Field.values()) {
            rows.put(f.selfKey(), base + f.ordinal());
            rows.put(f.subtreeKey(), 100 * base + f.ordinal());
        }
        return CatalogCounters.fromStatistics(rows);
    }

    @Test
    void theStatisticsTableHasTwentyFourRowsSelfFirstInFieldOrder() {
        List<String> keys = new ArrayList<>(CatalogCounters.ZERO.toStatistics().keySet());
        assertEquals(24, keys.size());
        assertEquals("self_regular", keys.get(0));
        assertEquals("self_external_file_size", keys.get(11));
        assertEquals("subtree_regular", keys.get(12));
        assertEquals("subtree_external_file_size", keys.get(23));
        assertEquals(List.of("self_regular", "self_symlink", "self_special", "self_dir", "self_nested", "self_chunked",
                "self_chunks", "self_file_size", "self_chunked_size", "self_xattr", "self_external",
                "self_external_file_size"), keys.subList(0, 12));
        CatalogCounters c = numbered(1);
        assertEquals(c, CatalogCounters.fromStatistics(c.toStatistics()));
        assertEquals(1 + Field.CHUNKS.ordinal(), c.self(Field.CHUNKS));
        assertEquals(100 + Field.CHUNKS.ordinal(), c.subtree(Field.CHUNKS));
        assertEquals(101 + 2L * Field.CHUNKS.ordinal(), c.total(Field.CHUNKS));
    }

    @Test
    void rowsMissingFromAnOlderSchemaAreZero() {
        CatalogCounters c = CatalogCounters.fromStatistics(Map.of("self_regular", 3L, "subtree_dir", 2L));
        assertEquals(3, c.self(Field.REGULAR));
        assertEquals(2, c.subtree(Field.DIR));
        assertEquals(0, c.self(Field.DIR));
        assertEquals(0, c.subtree(Field.REGULAR));
        assertEquals(0, c.total(Field.XATTR));
    }

    @Test
    void plusAndMinusWorkPerFieldAndHalfAndMayGoNegative() {
        CatalogCounters a = numbered(1);
        CatalogCounters b = numbered(2);
        CatalogCounters sum = a.plus(b);
        CatalogCounters difference = a.minus(b);
        for (Field f : Field.values()) {
            assertEquals(3 + 2L * f.ordinal(), sum.self(f), f.selfKey());
            assertEquals(300 + 2L * f.ordinal(), sum.subtree(f), f.subtreeKey());
            assertEquals(-1, difference.self(f), f.selfKey());
            assertEquals(-100, difference.subtree(f), f.subtreeKey());
        }
        assertEquals(a, sum.minus(b));
        assertEquals(a, a.plus(CatalogCounters.ZERO));
    }

    @Test
    void aNestedCatalogHandsItsParentEverythingAsSubtree() {
        CatalogCounters nested = numbered(1);
        CatalogCounters handed = nested.asSubtree();
        for (Field f : Field.values()) {
            assertEquals(0, handed.self(f), f.selfKey());
            assertEquals(nested.total(f), handed.subtree(f), f.subtreeKey());
        }
        CatalogCounters mixed = numbered(1).withSubtreeOf(numbered(2));
        for (Field f : Field.values()) {
            assertEquals(1 + f.ordinal(), mixed.self(f));
            assertEquals(200 + f.ordinal(), mixed.subtree(f));
        }
    }

    @Test
    void differencesNameEachMismatchedRowWithBothValues() {
        CatalogCounters expected = CatalogCounters.fromStatistics(Map.of("self_regular", 2L, "subtree_chunks", 5L));
        CatalogCounters actual = CatalogCounters.fromStatistics(Map.of("self_regular", 3L, "subtree_chunks", 5L, "subtree_dir", 1L));
        assertEquals(List.of("self_regular is 3, expected 2", "subtree_dir is 1, expected 0"), actual.differences(expected));
        assertEquals(List.of(), actual.differences(actual));
    }

    @Test
    void equalityTellsSelfFromSubtree() {
        CatalogCounters selfOnly = CatalogCounters.fromStatistics(Map.of("self_regular", 1L));
        CatalogCounters subtreeOnly = CatalogCounters.fromStatistics(Map.of("subtree_regular", 1L));
        assertNotEquals(selfOnly, subtreeOnly);
        assertNotEquals(selfOnly.hashCode(), subtreeOnly.hashCode());
        assertEquals(selfOnly, CatalogCounters.fromStatistics(Map.of("self_regular", 1L)));
        assertEquals(selfOnly.hashCode(), CatalogCounters.fromStatistics(Map.of("self_regular", 1L)).hashCode());
        assertEquals(selfOnly.toStatistics().toString(), selfOnly.toString());
        assertNotEquals(selfOnly, "self_regular=1");
    }
}
