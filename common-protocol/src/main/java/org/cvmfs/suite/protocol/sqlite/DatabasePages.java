package org.cvmfs.suite.protocol.sqlite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;

/**
 * The pages of an SQLite database file read as bytes, without SQLite (the file format's
 * b-tree layout): which leaf pages hold the rows of one table, whether a page is byte for byte
 * the same in two files, and the leading integer columns of the rows on a leaf page. Two
 * revisions of a catalog that a publisher edited in place share almost all their pages, so
 * comparing pages finds the few rows that changed without reading the others.
 *
 * <p>Pages are read through a small block of the file held in the heap ({@value #BLOCK_PAGES}
 * aligned pages), so pages visited in order cost one read per block and a file of any size costs
 * the same memory. A layout this class does not expect (a page type, cell or record it
 * cannot read) is a {@link SqliteException}, so that a caller can fall back to asking SQLite;
 * no offset read from the file is used before it is checked to lie inside its page.
 */
public final class DatabasePages implements AutoCloseable {
    private static final int BLOCK_PAGES = 64;
    private static final byte INTERIOR_TABLE = 0x05;
    private static final byte LEAF_TABLE = 0x0D;

    private final Path file;
    private final FileChannel channel;
    private final int pageSize;
    private final int usableSize;
    private final int pageCount;
    private final byte[] block;
    /** Number of the first page in {@link #block}; 0 while nothing is read. */
    private int blockFirst;
    private int blockPages;

    private DatabasePages(Path file, FileChannel channel) throws IOException {
        this.file = file;
        this.channel = channel;
        ByteBuffer header = ByteBuffer.allocate(100);
        while (header.hasRemaining() && channel.read(header, header.position()) > 0) {
            // a regular file gives what it has
        }
        if (header.hasRemaining()) {
            throw invalid("is shorter than a database header");
        }
        int size = header.getShort(16) & 0xFFFF;
        pageSize = size == 1 ? 65536 : size;
        if (pageSize < 512 || Integer.bitCount(pageSize) != 1) {
            throw invalid("has page size " + pageSize);
        }
        usableSize = pageSize - (header.get(20) & 0xFF);
        pageCount = (int) Math.min(Integer.MAX_VALUE, channel.size() / pageSize);
        block = new byte[BLOCK_PAGES * pageSize];
    }

    /** Opens {@code file} (a database no one writes to while this is open). */
    public static DatabasePages open(Path file) {
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
            return new DatabasePages(file, channel);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot read database " + file, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /**
     * The leaf pages of the table b-tree whose root is page {@code rootPage} (1-based, as in
     * sqlite_master). A b-tree's leaves are all at one depth, so only interior pages are read
     * here: the children of the lowest interior level are the leaves, each checked to be one
     * when {@link #forEachRow} reads it.
     */
    public BitSet tableLeaves(int rootPage) {
        int height = 0;
        for (int page = rootPage; type(page) == INTERIOR_TABLE; height++) {
            int start = load(page);
            page = unsignedShort(start + 3) > 0 ? intAt(checked(cellOffset(page, start, 12, 0) + 3L, page) - 3)
                    : intAt(start + 8);
        }
        BitSet leaves = new BitSet();
        BitSet seen = new BitSet();
        Deque<int[]> pending = new ArrayDeque<>();
        pending.push(new int[] {rootPage, 0});
        while (!pending.isEmpty()) {
            int[] next = pending.pop();
            int page = next[0];
            if (page < 2 || page > pageCount || seen.get(page)) {
                throw invalid("has table page " + page + " out of range or reached twice");
            }
            seen.set(page);
            if (next[1] == height) {
                leaves.set(page);
                continue;
            }
            if (type(page) != INTERIOR_TABLE) {
                throw invalid("has page " + page + " of type " + type(page) + " where its table has interior pages");
            }
            int start = load(page);
            int cells = unsignedShort(start + 3);
            int[] children = new int[cells + 1];
            for (int i = 0; i < cells; i++) {
                children[i] = intAt(checked(cellOffset(page, start, 12, i) + 3L, page) - 3);
            }
            children[cells] = intAt(start + 8);
            for (int c = cells; c >= 0; c--) {
                pending.push(new int[] {children[c], next[1] + 1}); // popped in key order, mostly page order
            }
        }
        return leaves;
    }

    /** The b-tree page type byte of {@code page}, which is not the first page. */
    private byte type(int page) {
        if (page < 2) {
            throw invalid("has table page " + page + " out of range");
        }
        return block[load(page)];
    }

    /** True if page {@code page} has the same bytes here and in {@code other}. */
    public boolean samePage(DatabasePages other, int page) {
        if (other.pageSize != pageSize || page > pageCount || page > other.pageCount) {
            return false;
        }
        int here = load(page);
        int there = other.load(page);
        return Arrays.equals(block, here, here + pageSize, other.block, there, there + pageSize);
    }

    /** What {@link #forEachRow} reports of one row. */
    @FunctionalInterface
    public interface RowVisitor {
        /** {@code leading} holds the row's first integer columns (NULL as 0). */
        void row(long[] leading);
    }

    /**
     * Reads the first {@code columns} columns (each an integer or NULL) of the rows on leaf page
     * {@code page}: of all of them, or with {@code onlyOverflowing} of those only that continue on
     * overflow pages, which a comparison of this page does not cover.
     */
    public void forEachRow(int page, int columns, boolean onlyOverflowing, RowVisitor visitor) {
        int start = load(page);
        if (block[start] != LEAF_TABLE) {
            throw invalid("page " + page + " is no table leaf");
        }
        int cells = unsignedShort(start + 3);
        long[] leading = new long[columns];
        int[] at = new int[1];
        for (int i = 0; i < cells; i++) {
            at[0] = cellOffset(page, start, 8, i);
            long payload = varint(at, page);
            if (onlyOverflowing && payload <= usableSize - 35) {
                continue;
            }
            varint(at, page); // rowid
            readLeading(page, at[0], columns, leading);
            visitor.row(leading);
        }
    }

    private void readLeading(int page, int record, int columns, long[] out) {
        int[] at = {record};
        long headerSize = varint(at, page);
        int headerEnd = checked(record + headerSize, page);
        int body = headerEnd;
        for (int c = 0; c < columns; c++) {
            if (at[0] >= headerEnd) {
                throw invalid("page " + page + " has a row with fewer than " + columns + " columns");
            }
            long type = varint(at, page);
            int width = switch ((int) Math.min(type, 100)) {
                case 0, 8, 9 -> 0;
                case 1 -> 1;
                case 2 -> 2;
                case 3 -> 3;
                case 4 -> 4;
                case 5 -> 6;
                case 6 -> 8;
                default -> throw invalid("page " + page + " has a row whose column " + c + " is no integer");
            };
            if (width > 0) {
                checked(body + width - 1L, page);
            }
            long value = type == 9 ? 1 : 0;
            for (int b = 0; b < width; b++) {
                value = b == 0 ? block[body] : (value << 8) | (block[body + b] & 0xFF);
            }
            out[c] = value;
            body += width;
        }
    }

    private long varint(int[] at, int page) {
        long value = 0;
        for (int i = 0; i < 9; i++) {
            int b = block[checked(at[0]++, page)] & 0xFF;
            if (i == 8) {
                return (value << 8) | b;
            }
            value = (value << 7) | (b & 0x7F);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        return value;
    }

    /** Makes {@code page} part of the block and returns where it starts there. */
    private int load(int page) {
        if (page < 1 || page > pageCount) {
            throw invalid("has no page " + page);
        }
        if (page < blockFirst || page >= blockFirst + blockPages) {
            int first = (page - 1) / BLOCK_PAGES * BLOCK_PAGES + 1;
            int count = Math.min(BLOCK_PAGES, pageCount - first + 1);
            ByteBuffer into = ByteBuffer.wrap(block, 0, count * pageSize);
            long position = (long) (first - 1) * pageSize;
            blockPages = 0;
            try {
                while (into.hasRemaining()) {
                    if (channel.read(into, position + into.position()) < 0) {
                        throw invalid("ends before page " + (first + count - 1));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read database " + file, e);
            }
            blockFirst = first;
            blockPages = count;
        }
        return (page - blockFirst) * pageSize;
    }

    /** Where cell {@code i} of the page at {@code start} in the block (header of {@code headerSize} bytes) begins. */
    private int cellOffset(int page, int start, int headerSize, int i) {
        long pointer = start + headerSize + 2L * i;
        checked(pointer + 1, page);
        return checked(start + (long) unsignedShort((int) pointer), page);
    }

    private int unsignedShort(int at) {
        return ((block[at] & 0xFF) << 8) | (block[at + 1] & 0xFF);
    }

    private int intAt(int at) {
        return ((block[at] & 0xFF) << 24) | ((block[at + 1] & 0xFF) << 16) | ((block[at + 2] & 0xFF) << 8)
                | (block[at + 3] & 0xFF);
    }

    /** {@code at} (an offset in the block) if it lies inside page {@code page}, else an error. */
    private int checked(long at, int page) {
        long start = (long) (page - blockFirst) * pageSize;
        if (at < start || at >= start + pageSize) {
            throw invalid("page " + page + " points outside itself");
        }
        return (int) at;
    }

    private SqliteException invalid(String what) {
        return new SqliteException("database file " + file + " " + what);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close database " + file, e);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the open failed already; that failure is the one reported
            }
        }
    }
}
