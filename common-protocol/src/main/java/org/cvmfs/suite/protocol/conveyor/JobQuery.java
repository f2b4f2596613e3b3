package org.cvmfs.suite.protocol.conveyor;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Our extension: the filters of {@code GET /api/v1/jobs}. Parameters: {@code id} (repeatable),
 * {@code status} (repeatable, a {@link JobState#wireName()}), {@code repository}, {@code since}
 * and {@code until} (RFC 3339, on the submission time, since inclusive, until exclusive),
 * {@code offset} and {@code limit} (default {@value #DEFAULT_LIMIT}, at most {@value #MAX_LIMIT}).
 */
public record JobQuery(List<String> ids, List<JobState> states, String repository,
                       OffsetDateTime since, OffsetDateTime until, int offset, int limit) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public JobQuery {
        ids = ids == null ? List.of() : List.copyOf(ids);
        states = states == null ? List.of() : List.copyOf(states);
    }

    public static JobQuery ofIds(List<String> ids) {
        return new JobQuery(ids, List.of(), null, null, null, 0, Math.max(ids.size(), 1));
    }

    /** The query string, keys sorted and values escaped as Go's {@code url.Values.Encode} does. */
    public String queryString() {
        Map<String, List<String>> params = new TreeMap<>();
        ids.forEach(id -> params.computeIfAbsent("id", k -> new ArrayList<>()).add(id));
        states.forEach(s -> params.computeIfAbsent("status", k -> new ArrayList<>()).add(s.wireName()));
        if (repository != null) {
            params.put("repository", List.of(repository));
        }
        if (since != null) {
            params.put("since", List.of(ConveyorJson.formatTime(since)));
        }
        if (until != null) {
            params.put("until", List.of(ConveyorJson.formatTime(until)));
        }
        params.put("offset", List.of(Integer.toString(offset)));
        params.put("limit", List.of(Integer.toString(limit)));
        return encode(params);
    }

    static String encode(Map<String, List<String>> sorted) {
        StringBuilder out = new StringBuilder();
        sorted.forEach((key, values) -> values.forEach(v -> {
            if (out.length() > 0) {
                out.append('&');
            }
            out.append(URLEncoder.encode(key, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
        }));
        return out.toString();
    }
}
