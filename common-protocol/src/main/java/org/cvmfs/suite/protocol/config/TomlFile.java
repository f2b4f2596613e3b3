package org.cvmfs.suite.protocol.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The suite's one TOML reader. Keys are folded to lower case as upstream's viper does, so
 * {@code Shared_Key} and {@code shared_key} are the same key; a table is a nested section.
 * Values are kept as text, so "numbers given as strings" are coerced by the reader of a value
 * ({@link Section#integer}) and a quoted {@code "8080"} is as good as {@code 8080}.
 */
public final class TomlFile {
    private static final TomlMapper TOML = new TomlMapper();

    private TomlFile() {
    }

    /** Reads {@code file}; a missing or malformed file is a {@link ConfigException} naming it. */
    public static Section read(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (NoSuchFileException missing) {
            throw new ConfigException(file + ": no such file", missing);
        } catch (IOException unreadable) {
            throw new ConfigException(file + ": " + unreadable.getMessage(), unreadable);
        }
    }

    public static Section parse(String text, String origin) {
        try {
            JsonNode root = TOML.readTree(text);
            return section(root == null ? TOML.createObjectNode() : root);
        } catch (IOException malformed) {
            throw new ConfigException(origin + ": not valid TOML: " + malformed.getMessage(), malformed);
        }
    }

    private static Section section(JsonNode node) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Section> tables = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            String key = field.getKey().toLowerCase(Locale.ROOT);
            JsonNode value = field.getValue();
            if (value.isObject()) {
                tables.put(key, section(value));
            } else if (value.isArray()) {
                values.put(key, value.toString());
            } else {
                values.put(key, value.asText());
            }
        }
        return new Section(Map.copyOf(values), Map.copyOf(tables));
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
