package org.cvmfs.suite.protocol.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.cvmfs.suite.protocol.files.AtomicFile;

/**
 * An upstream-style {@code KEY=VALUE} configuration file ({@code server.conf},
 * {@code client.conf}, {@code /etc/cvmfs/server.local}). Upstream's shell tools {@code source}
 * these files, so the accepted syntax is the subset of shell assignments they contain: comments,
 * blank lines, and {@code NAME=value}, {@code NAME="value"} or {@code NAME='value'}, optionally
 * followed by a comment. Anything else (commands, unbalanced quotes, expansions we would not
 * perform) is refused rather than misread. Entry order and the leading comment block survive a
 * read/write round trip.
 */
public final class ServerConfFile {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern SAFE_UNQUOTED = Pattern.compile("[A-Za-z0-9_./:,@%+=-]+");

    private final List<String> header;
    private final Map<String, String> entries;

    private ServerConfFile(List<String> header, Map<String, String> entries) {
        this.header = List.copyOf(header);
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** A new file whose leading comment is {@code headerComment} (without {@code #}). */
    public static ServerConfFile create(String headerComment) {
        return new ServerConfFile(List.of("# " + headerComment), Map.of());
    }

    public static ServerConfFile read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return parse(new String(bytes, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses {@code text}; {@code source} names the file in error messages. */
    public static ServerConfFile parse(String text, String source) {
        List<String> header = new ArrayList<>();
        Map<String, String> entries = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        boolean inHeader = true;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                if (inHeader && line.startsWith("#")) {
                    header.add(line);
                }
                continue;
            }
            inHeader = false;
            int eq = line.indexOf('=');
            String where = source + " line " + (i + 1);
            if (eq <= 0 || !NAME.matcher(line.substring(0, eq)).matches()) {
                throw new ConfigException(where + ": expected KEY=VALUE, got '" + abbreviate(line) + "'");
            }
            entries.put(line.substring(0, eq), parseValue(line.substring(eq + 1), where));
        }
        return new ServerConfFile(header, entries);
    }

    private static String parseValue(String raw, String where) {
        String value;
        String rest;
        if (raw.startsWith("\"") || raw.startsWith("'")) {
            char quote = raw.charAt(0);
            int end = raw.indexOf(quote, 1);
            if (end < 0) {
                throw new ConfigException(where + ": unbalanced " + quote + " in value '" + abbreviate(raw) + "'");
            }
            value = raw.substring(1, end);
            rest = raw.substring(end + 1);
            if (quote == '"' && (value.indexOf('$') >= 0 || value.indexOf('`') >= 0 || value.indexOf('\\') >= 0)) {
                throw new ConfigException(where + ": shell expansion in value '" + abbreviate(raw) + "' is not supported");
            }
        } else {
            int ws = indexOfWhitespace(raw);
            value = ws < 0 ? raw : raw.substring(0, ws);
            rest = ws < 0 ? "" : raw.substring(ws);
            if (!value.isEmpty() && !SAFE_UNQUOTED.matcher(value).matches()) {
                throw new ConfigException(where + ": unquoted value '" + abbreviate(value)
                        + "' has shell syntax; quote it");
            }
        }
        String trailing = rest.strip();
        if (!trailing.isEmpty() && !trailing.startsWith("#")) {
            throw new ConfigException(where + ": unexpected text after the value: '" + abbreviate(trailing) + "'");
        }
        return value;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    /** The value of {@code key}; refuses a missing or empty value with the key's name. */
    public String require(String key) {
        String v = entries.get(key);
        if (v == null || v.isEmpty()) {
            throw new ConfigException("configuration has no value for " + key);
        }
        return v;
    }

    /** The entries in file order. */
    public Map<String, String> entries() {
        return entries;
    }

    /** A copy with {@code key} set (kept in place if present, appended otherwise). */
    public ServerConfFile with(String key, String value) {
        if (!NAME.matcher(key).matches()) {
            throw new ConfigException("not a configuration key: '" + abbreviate(key) + "'");
        }
        Objects.requireNonNull(value, "value of " + key);
        if (value.indexOf('\n') >= 0 || (needsSingleQuotes(value) && value.indexOf('\'') >= 0)) {
            throw new ConfigException("value of " + key + " cannot be written: '" + abbreviate(value) + "'");
        }
        Map<String, String> copy = new LinkedHashMap<>(entries);
        copy.put(key, value);
        return new ServerConfFile(header, copy);
    }

    /** The file text: header comments, then one {@code KEY=VALUE} line per entry. */
    public String format() {
        StringBuilder b = new StringBuilder();
        header.forEach(h -> b.append(h).append('\n'));
        entries.forEach((k, v) -> b.append(k).append('=').append(quoteIfNeeded(v)).append('\n'));
        return b.toString();
    }

    /** Writes the file atomically ({@link AtomicFile}), creating its directory if needed. */
    public void write(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        AtomicFile.replace(file, format().getBytes(StandardCharsets.UTF_8));
    }

    private static String quoteIfNeeded(String v) {
        if (SAFE_UNQUOTED.matcher(v).matches()) {
            return v;
        }
        return needsSingleQuotes(v) ? "'" + v + "'" : "\"" + v + "\"";
    }

    /** Double quotes would let the shell expand these characters. */
    private static boolean needsSingleQuotes(String v) {
        return v.indexOf('"') >= 0 || v.indexOf('$') >= 0 || v.indexOf('`') >= 0 || v.indexOf('\\') >= 0;
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
