package org.cvmfs.suite.server.publish;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.cvmfs.suite.protocol.name.RawName;

/**
 * The names and link targets of tar members as the bytes the tarball holds, for
 * {@link TarIngest}. commons-compress decodes a header's name fields (and GNU long names) with
 * the charset it is given — here ISO-8859-1, one char per byte, so the bytes come back exactly —
 * but the {@code path} and {@code linkpath} of a PAX extended header always as UTF-8 (what POSIX
 * prescribes), and an entry does not say which of the two its name came from. This stream lies
 * between the tarball and commons-compress and, while {@link #next} reads one entry's headers,
 * looks at the 512-byte header blocks going by: a GNU long name ({@code L}/{@code K}) or a PAX
 * header carrying {@code path}/{@code linkpath}. Outside {@link #next} (file contents) it only
 * counts bytes.
 */
final class TarHeaderTap extends FilterInputStream {
    private static final int BLOCK = 512;
    private static final int TYPE_FLAG = 156;
    private static final int SIZE = 124;
    private static final int SIZE_LENGTH = 12;
    private static final int CHECKSUM = 148;

    private long position;
    private boolean watching;
    private final byte[] block = new byte[BLOCK];
    private int filled = -1;
    private long paxBytesLeft;
    private final StringBuilder pax = new StringBuilder();
    /** What the headers of the current entry said: 'L', 'K', "path", "linkpath". */
    private final Set<String> seen = new HashSet<>();

    TarHeaderTap(InputStream in) {
        super(in);
    }

    /** The next entry of {@code tar} (which reads through this tap), with what its headers said recorded. */
    TarArchiveEntry next(TarArchiveInputStream tar) throws IOException {
        seen.clear();
        pax.setLength(0);
        paxBytesLeft = 0;
        filled = position % BLOCK == 0 ? 0 : -1;
        watching = true;
        try {
            return tar.getNextEntry();
        } finally {
            watching = false;
        }
    }

    /** The entry's name as {@link RawName} (read with ISO-8859-1 unless a PAX header gave it). */
    String name(TarArchiveEntry e) {
        return seen.contains("path") && !seen.contains("L") ? e.getName() : bytes(e.getName());
    }

    /** The entry's link target as {@link RawName}, likewise. */
    String linkName(TarArchiveEntry e) {
        return seen.contains("linkpath") && !seen.contains("K") ? e.getLinkName() : bytes(e.getLinkName());
    }

    private static String bytes(String isoDecoded) {
        return RawName.decode(isoDecoded.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            take(new byte[] {(byte) b}, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            take(buffer, offset, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        position += skipped;
        filled = -1;
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void take(byte[] buffer, int offset, int length) {
        if (!watching) {
            position += length;
            return;
        }
        for (int i = offset; i < offset + length; i++) {
            if (position % BLOCK == 0) {
                filled = 0;
            }
            position++;
            if (filled < 0) {
                continue;
            }
            block[filled++] = buffer[i];
            if (filled == BLOCK) {
                completed();
                filled = -1;
            }
        }
    }

    private void completed() {
        if (paxBytesLeft > 0) {
            int n = (int) Math.min(paxBytesLeft, BLOCK);
            pax.append(new String(block, 0, n, StandardCharsets.ISO_8859_1));
            paxBytesLeft -= n;
            if (paxBytesLeft == 0) {
                paxKeys();
            }
            return;
        }
        if (!isHeader()) {
            return;
        }
        char type = (char) block[TYPE_FLAG];
        if (type == 'L' || type == 'K') {
            seen.add(String.valueOf(type));
        } else if (type == 'x') {
            paxBytesLeft = size();
            pax.setLength(0);
        }
    }

    /** The keys of the PAX records read ({@code "LEN key=value\n"}). */
    private void paxKeys() {
        int at = 0;
        String records = pax.toString();
        while (at < records.length()) {
            int space = records.indexOf(' ', at);
            int equals = records.indexOf('=', at);
            if (space < 0 || equals < 0) {
                return;
            }
            int length;
            try {
                length = Integer.parseInt(records.substring(at, space));
            } catch (NumberFormatException e) {
                return;
            }
            if (length <= 0) {
                return;
            }
            seen.add(records.substring(space + 1, equals));
            at += length;
        }
    }

    /** A header block: its checksum (unsigned sum with the checksum field as spaces) matches. */
    private boolean isHeader() {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += i >= CHECKSUM && i < CHECKSUM + 8 ? ' ' : block[i] & 0xff;
        }
        long recorded = octal(CHECKSUM, 8);
        return recorded >= 0 && recorded == sum;
    }

    private long size() {
        return Math.max(0, octal(SIZE, SIZE_LENGTH));
    }

    private long octal(int offset, int length) {
        long value = 0;
        boolean digits = false;
        for (int i = offset; i < offset + length; i++) {
            int c = block[i];
            if (c >= '0' && c <= '7') {
                value = value * 8 + (c - '0');
                digits = true;
            } else if (digits || (c != ' ' && c != 0)) {
                break;
            }
        }
        return digits ? value : -1;
    }
}
