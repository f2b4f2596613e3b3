package org.cvmfs.suite.protocol.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.junit.jupiter.api.Test;

/** The entry's written-out equality: every component counts, as in a record's generated one. */
class DirectoryEntryTest {
    private static final ContentHash HASH = ContentHash.compute(HashAlgorithm.SHA1,
            "a".getBytes(StandardCharsets.US_ASCII), ObjectSuffix.NONE);
    private static final ContentHash OTHER = ContentHash.compute(HashAlgorithm.SHA1,
            "b".getBytes(StandardCharsets.US_ASCII), ObjectSuffix.NONE);

    private static DirectoryEntry.Builder file() {
        return DirectoryEntry.regularFile("f", 0644, 1, HASH).mtime(5).mtimeNs(7).uid(1).gid(2);
    }

    @Test
    void equalEntriesAreEqualWithEqualHashes() {
        DirectoryEntry a = file().build();
        DirectoryEntry b = file().build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(a, a.toBuilder().build());
        assertNotEquals(a, "f");
        assertNotEquals(a, null);
    }

    @Test
    void everyComponentTakesPartInEquality() {
        DirectoryEntry base = file().build();
        DirectoryEntry dir = DirectoryEntry.directory("d", 0755).build();
        List<UnaryOperator<DirectoryEntry.Builder>> fileChanges = List.of(
                b -> b.name("g"), b -> b.mode(EntryKind.S_IFREG | 0600), b -> b.size(2), b -> b.mtime(6),
                b -> b.mtimeNs(8), b -> b.mtimeNs(null), b -> b.uid(3), b -> b.gid(4), b -> b.linkcount(2),
                b -> b.hardlinkGroup(9), b -> b.hash(OTHER), b -> b.hidden(true), b -> b.chunked(true),
                b -> b.external(true), b -> b.directIo(true), b -> b.uncompressed(true),
                b -> b.xattrs(XattrList.of(Map.of("user.x", new byte[] {1}))),
                b -> b.hash(null).chunked(true).hashAlgorithm(HashAlgorithm.RMD160));
        for (UnaryOperator<DirectoryEntry.Builder> change : fileChanges) {
            DirectoryEntry changed = change.apply(file()).build();
            assertNotEquals(base, changed, changed.toString());
            assertNotEquals(changed, base, changed.toString());
        }
        for (UnaryOperator<DirectoryEntry.Builder> change : List.<UnaryOperator<DirectoryEntry.Builder>>of(
                b -> b.nestedMountpoint(true), b -> b.nestedRoot(true), b -> b.bindMountpoint(true))) {
            assertNotEquals(dir, change.apply(dir.toBuilder()).build());
        }
        DirectoryEntry link = DirectoryEntry.symlink("l", "a").build();
        assertNotEquals(link, DirectoryEntry.symlink("l", "b").build());
        assertEquals(link, DirectoryEntry.symlink("l", "a").build());
    }

    @Test
    void aRefusalNamesTheEntryPrintably() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DirectoryEntry.directory("d\u00e9", 0755).size(-1).build());
        assertTrue(e.getMessage().startsWith("entry 'd\u00e9': size -1 is negative"), e.getMessage());
    }
}
