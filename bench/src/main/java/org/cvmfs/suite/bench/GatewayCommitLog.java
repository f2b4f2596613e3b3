package org.cvmfs.suite.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's own split of each commit, read back from the "commit merged" line it logs:
 * the merge (opening the catalogs, the diff with the merge of each change, writing the changed
 * catalogs) and the publication (history, reflog, signature, manifest), in milliseconds.
 */
record GatewayCommitLog(String repository, int catalogsWritten, long merge, long publish, long open, long diff,
                        long write) {
    private static final Pattern MERGED = Pattern.compile("commit merged: repository=(\\S+) .* catalogs_written=(\\d+)"
            + " merge_ms=(\\d+) publish_ms=(\\d+) open_ms=(\\d+) diff_ms=(\\d+) write_ms=(\\d+)");

    /** Every commit line of {@code repository} in the gateway's log, oldest first. */
    static List<GatewayCommitLog> read(Path gatewayLog, String repository) throws IOException {
        List<GatewayCommitLog> out = new ArrayList<>();
        for (String line : Files.readAllLines(gatewayLog)) {
            Matcher m = MERGED.matcher(line);
            if (m.find() && m.group(1).equals(repository)) {
                out.add(new GatewayCommitLog(m.group(1), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3)),
                        Long.parseLong(m.group(4)), Long.parseLong(m.group(5)), Long.parseLong(m.group(6)),
                        Long.parseLong(m.group(7))));
            }
        }
        return out;
    }

    /** "merge M ms (open O, diff D, write W; C catalogs written), publish P ms". */
    String phases() {
        return String.format("merge %d ms (open %d, diff %d, write %d; %d catalogs written), publish %d ms"
                + " (history, reflog, signature, manifest)", merge, open, diff, write, catalogsWritten, publish);
    }

    /** The median of each figure over {@code commits} (not empty), as one line. */
    static GatewayCommitLog median(List<GatewayCommitLog> commits) {
        return new GatewayCommitLog(commits.get(0).repository, (int) median(commits, c -> c.catalogsWritten),
                median(commits, c -> c.merge), median(commits, c -> c.publish), median(commits, c -> c.open),
                median(commits, c -> c.diff), median(commits, c -> c.write));
    }

    private static long median(List<GatewayCommitLog> commits, ToLongFunction<GatewayCommitLog> f) {
        long[] values = commits.stream().mapToLong(f).sorted().toArray();
        return values[values.length / 2];
    }
}
