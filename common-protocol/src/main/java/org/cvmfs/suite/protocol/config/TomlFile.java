package org.cvmfs.suite.protocol.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The suite's one TOML reader. Keys are folded to lower case as upstream's viper does, so
 * {@code Shared_Key} and {@code shared_key} are the same key; a table is a nested section.
 * Values are kept as text, so "numbers given as strings" are coerced by the reader of a value
 * ({@link Section#integer}) and a quoted {@code "8080"} is as good as {@code 8080}; an array is
 * kept as the compact JSON text of its values. Parsed by {@link TomlParser}.
 */
public final class TomlFile {
    private TomlFile() {
    }

    /** Reads {@code file}; a missing or malformed file is a {@link ConfigException} naming it. */
    public static Section read(Path file) {
        return read(file, Path.of(""));
    }

    /** As {@link #read(Path)}, a relative {@code file} resolved against {@code workingDirectory}; messages name it as given. */
    public static Section read(Path file, Path workingDirectory) {
        try {
            return parse(Files.readString(workingDirectory.resolve(file)), file.toString());
        } catch (NoSuchFileException missing) {
            throw new ConfigException(file + ": no such file", missing);
        } catch (IOException unreadable) {
            throw new ConfigException(file + ": " + unreadable.getMessage(), unreadable);
        }
    }

    public static Section parse(String text, String origin) {
        try {
            return section(TomlParser.parse(text));
        } catch (IllegalArgumentException malformed) {
            throw new ConfigException(origin + ": not valid TOML: " + malformed.getMessage(), malformed);
        }
    }

    @SuppressWarnings("unchecked")
    private static Section section(Map<String, Object> table) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Section> tables = new LinkedHashMap<>();
        for (var field : table.entrySet()) {
            String key = field.getKey().toLowerCase(Locale.ROOT);
            Object value = field.getValue();
            if (value instanceof Map<?, ?> nested) {
                tables.put(key, section((Map<String, Object>) nested));
            } else if (value instanceof List<?>) {
                values.put(key, json(value, new StringBuilder()).toString());
            } else {
                values.put(key, text(value));
            }
        }
        return new Section(Map.copyOf(values), Map.copyOf(tables));
    }

    private static String text(Object scalar) {
        return scalar instanceof TomlParser.Literal literal ? literal.text() : (String) scalar;
    }

    private static StringBuilder json(Object value, StringBuilder out) {
        if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                json(list.get(i), i == 0 ? out : out.append(','));
            }
            return out.append(']');
        }
        if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (var e : map.entrySet()) {
                json(e.getKey(), first ? out : out.append(',')).append(':');
                json(e.getValue(), out);
                first = false;
            }
            return out.append('}');
        }
        if (value instanceof TomlParser.Literal literal) {
            return literal.json() ? out.append(literal.text()) : quote(literal.text(), out);
        }
        return quote((String) value, out);
    }

    private static StringBuilder quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"');
    }

    /** One TOML table: scalar values as text and nested tables, keys in lower case. */
    public record Section(Map<String, String> values, Map<String, Section> tables) {
        public static final Section EMPTY = new Section(Map.of(), Map.of());

        public Optional<String> string(String key) {
            return Optional.ofNullable(values.get(key.toLowerCase(Locale.ROOT)));
        }

        public Optional<Section> table(String key) {
            return Optional.ofNullable(tables.get(key.toLowerCase(Locale.ROOT)));
        }

        public String string(String key, String fallback) {
            return string(key).orElse(fallback);
        }

        /** An integer value, also when written as a string; {@code where} names it in errors. */
        public int integer(String key, int fallback, String where) {
            Optional<String> text = string(key);
            if (text.isEmpty()) {
                return fallback;
            }
            try {
                return Integer.parseInt(text.get().trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(where + key + ": not an integer: '" + text.get() + "'");
            }
        }

        /** A boolean value, also when written as a string ({@code "true"}, {@code "1"}, ...). */
        public boolean bool(String key, boolean fallback, String where) {
            Optional<String> text = string(key);
            if (text.isEmpty()) {
                return fallback;
            }
            switch (text.get().trim().toLowerCase(Locale.ROOT)) {
                case "true", "1", "t" -> {
                    return true;
                }
                case "false", "0", "f" -> {
                    return false;
                }
                default -> throw new ConfigException(where + key + ": not a boolean: '" + text.get() + "'");
            }
        }
    }
}
