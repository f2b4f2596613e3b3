package org.cvmfs.suite.protocol.config;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * TOML 1.0 read into a tree, for {@link TomlFile}: a hand-written recursive-descent reader rather
 * than Jackson's TOML module, so that reading a config file builds no Jackson mapper (every
 * {@code conveyor submit} reads one; the TOML mapper paid databind's whole start-up, which only
 * leaves a short command once its JSON needs no databind either).
 * The tree: a string is a {@code String}, any other scalar a {@link Literal} (integers in
 * decimal), an array a {@code List}, a table or inline table a {@code Map}, an array of tables
 * ({@code [[x]]}) a {@code List} of {@code Map}s (upstream's viper reads them, so a config file
 * holding one must load). Malformed input throws {@link IllegalArgumentException} naming the line.
 */
final class TomlParser {
    private static final Pattern DECIMAL = Pattern.compile("[+-]?\\d+");
    private static final Pattern FLOAT = Pattern.compile("[+-]?\\d+(\\.\\d+)?([eE][+-]?\\d+)?");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern DATE_TIME = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}([Tt ]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})?)?|\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?");

    /** The list of an array of tables: {@code [[x]]} headers append to it, an array value cannot be one. */
    private static final class TableArray extends ArrayList<Object> {
    }

    /** A scalar that is not a string (number, boolean, date or time), as its text; {@code json}: valid JSON as it is. */
    record Literal(String text, boolean json) {
    }

    private final String text;
    private int pos;
    private int line = 1;

    private TomlParser(String text) {
        this.text = text;
    }

    /** The root table of {@code text}. */
    static Map<String, Object> parse(String text) {
        return new TomlParser(text).document();
    }

    private Map<String, Object> document() {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> current = root;
        while (true) {
            skipBlankLines();
            if (pos >= text.length()) {
                return root;
            }
            if (peek() == '[') {
                pos++;
                boolean arrayOfTables = peek() == '[';
                if (arrayOfTables) {
                    pos++;
                }
                List<String> path = key();
                expect(']');
                if (arrayOfTables) {
                    expect(']');
                }
                current = root;
                for (String part : path.subList(0, path.size() - 1)) {
                    current = subTable(current, part);
                }
                String last = path.get(path.size() - 1);
                current = arrayOfTables ? nextTableOf(current, last) : subTable(current, last);
            } else {
                keyValue(current);
            }
            endOfLine();
        }
    }

    private void keyValue(Map<String, Object> table) {
        List<String> path = key();
        expect('=');
        skipSpaces();
        Object value = value();
        Map<String, Object> target = table;
        for (int i = 0; i < path.size() - 1; i++) {
            target = subTable(target, path.get(i));
        }
        String last = path.get(path.size() - 1);
        if (target.putIfAbsent(last, value) != null) {
            throw error("duplicate key '" + last + "'");
        }
    }

    /** The table {@code name} of {@code parent}, made if new; in an array of tables, its last one. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> subTable(Map<String, Object> parent, String name) {
        Object existing = parent.computeIfAbsent(name, k -> new LinkedHashMap<String, Object>());
        if (existing instanceof TableArray tables) {
            existing = tables.get(tables.size() - 1);
        }
        if (existing instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw error("'" + name + "' is a value, not a table");
    }

    /** A new table appended to the array of tables {@code name} of {@code parent} ({@code [[name]]}). */
    private Map<String, Object> nextTableOf(Map<String, Object> parent, String name) {
        Object existing = parent.computeIfAbsent(name, k -> new TableArray());
        if (!(existing instanceof TableArray tables)) {
            throw error("'" + name + "' is not an array of tables");
        }
        Map<String, Object> table = new LinkedHashMap<>();
        tables.add(table);
        return table;
    }

    /** A dotted key of bare or quoted parts, and the spaces after it. */
    private List<String> key() {
        List<String> parts = new ArrayList<>();
        while (true) {
            skipSpaces();
            char c = peek();
            if (c == '"') {
                parts.add(basicString());
            } else if (c == '\'') {
                parts.add(literalString());
            } else {
                int start = pos;
                while (pos < text.length() && isBareKeyChar(text.charAt(pos))) {
                    pos++;
                }
                if (start == pos) {
                    throw error("a key expected");
                }
                parts.add(text.substring(start, pos));
            }
            skipSpaces();
            if (peek() != '.') {
                return parts;
            }
            pos++;
        }
    }

    private Object value() {
        return switch (peek()) {
            case '"' -> text.startsWith("\"\"\"", pos) ? multiLineBasicString() : basicString();
            case '\'' -> text.startsWith("'''", pos) ? multiLineLiteralString() : literalString();
            case '[' -> array();
            case '{' -> inlineTable();
            default -> scalar();
        };
    }

    private List<Object> array() {
        expect('[');
        List<Object> values = new ArrayList<>();
        while (true) {
            skipBlankLines();
            if (peek() == ']') {
                pos++;
                return values;
            }
            values.add(value());
            skipBlankLines();
            if (peek() == ',') {
                pos++;
            } else if (peek() != ']') {
                throw error("',' or ']' expected in an array");
            }
        }
    }

    private Map<String, Object> inlineTable() {
        expect('{');
        Map<String, Object> table = new LinkedHashMap<>();
        skipSpaces();
        if (peek() == '}') {
            pos++;
            return table;
        }
        while (true) {
            keyValue(table);
            skipSpaces();
            char c = peek();
            pos++;
            if (c == '}') {
                return table;
            }
            if (c != ',') {
                throw error("',' or '}' expected in an inline table");
            }
        }
    }

    /** Integers (decimal, 0x, 0o, 0b, with _), floats, booleans, dates and times. */
    private Literal scalar() {
        int start = pos;
        while (pos < text.length() && isScalarChar(text.charAt(pos))) {
            pos++;
        }
        // a local date-time may have one space between its date and its time
        if (pos + 1 < text.length() && text.charAt(pos) == ' ' && Character.isDigit(text.charAt(pos + 1))
                && DATE.matcher(text.substring(start, pos)).matches()) {
            pos++;
            while (pos < text.length() && isScalarChar(text.charAt(pos))) {
                pos++;
            }
        }
        String token = text.substring(start, pos);
        if (token.isEmpty()) {
            throw error("a value expected");
        }
        String literal = literalText(token);
        return new Literal(literal, !DATE_TIME.matcher(literal).matches() && !literal.endsWith("inf") && !literal.endsWith("nan"));
    }

    private String literalText(String token) {
        if (token.equals("true") || token.equals("false") || token.matches("[+-]?(inf|nan)")) {
            return token;
        }
        String digits = token.replace("_", "");
        try {
            if (digits.startsWith("0x") || digits.startsWith("0o") || digits.startsWith("0b")) {
                int radix = digits.charAt(1) == 'x' ? 16 : digits.charAt(1) == 'o' ? 8 : 2;
                return new BigInteger(digits.substring(2), radix).toString();
            }
            if (DECIMAL.matcher(digits).matches()) {
                return new BigInteger(digits.startsWith("+") ? digits.substring(1) : digits).toString();
            }
            if (FLOAT.matcher(digits).matches()) {
                return Double.toString(Double.parseDouble(digits));
            }
        } catch (NumberFormatException e) {
            throw error("not a number: " + token);
        }
        if (DATE_TIME.matcher(token).matches()) {
            return token;
        }
        throw error("not a TOML value: " + token);
    }

    private String basicString() {
        expect('"');
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length() || peek() == '\n') {
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c == '\\') {
                escape(out);
            } else {
                out.append(c);
            }
        }
    }

    private String multiLineBasicString() {
        pos += 3;
        skipNewline();
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated string");
            }
            if (text.startsWith("\"\"\"", pos)) {
                int quotes = closingQuotes('"');
                out.append("\"\"", 0, quotes - 3);
                pos += quotes;
                return out.toString();
            }
            char c = text.charAt(pos++);
            if (c == '\\' && lineEndingBackslash()) {
                continue;
            }
            if (c == '\\') {
                escape(out);
            } else {
                if (c == '\n') {
                    line++;
                }
                out.append(c);
            }
        }
    }

    /** After a backslash: when only spaces follow it on its line, skips them and all whitespace after. */
    private boolean lineEndingBackslash() {
        int p = pos;
        while (p < text.length() && (text.charAt(p) == ' ' || text.charAt(p) == '\t' || text.charAt(p) == '\r')) {
            p++;
        }
        if (p >= text.length() || text.charAt(p) != '\n') {
            return false;
        }
        pos = p;
        while (pos < text.length() && Character.isWhitespace(peek())) {
            if (peek() == '\n') {
                line++;
            }
            pos++;
        }
        return true;
    }

    /** The run of {@code quote} characters (3 to 5) at {@code pos} that closes a multi-line string. */
    private int closingQuotes(char quote) {
        int n = 0;
        while (pos + n < text.length() && text.charAt(pos + n) == quote && n < 5) {
            n++;
        }
        return n;
    }

    private String literalString() {
        expect('\'');
        int end = text.indexOf('\'', pos);
        int newline = text.indexOf('\n', pos);
        if (end < 0 || newline >= 0 && newline < end) {
            throw error("unterminated string");
        }
        String s = text.substring(pos, end);
        pos = end + 1;
        return s;
    }

    private String multiLineLiteralString() {
        pos += 3;
        skipNewline();
        int start = pos;
        int end = text.indexOf("'''", pos);
        if (end < 0) {
            throw error("unterminated string");
        }
        pos = end;
        int quotes = closingQuotes('\'');
        String s = text.substring(start, end + quotes - 3);
        line += (int) s.chars().filter(ch -> ch == '\n').count();
        pos = end + quotes;
        return s;
    }

    private void escape(StringBuilder out) {
        if (pos >= text.length()) {
            throw error("unterminated string");
        }
        char e = text.charAt(pos++);
        switch (e) {
            case 'b' -> out.append('\b');
            case 't' -> out.append('\t');
            case 'n' -> out.append('\n');
            case 'f' -> out.append('\f');
            case 'r' -> out.append('\r');
            case '"' -> out.append('"');
            case '\\' -> out.append('\\');
            case 'u', 'U' -> {
                int n = e == 'u' ? 4 : 8;
                try {
                    out.appendCodePoint(Integer.parseInt(text.substring(pos, pos + n), 16));
                } catch (IllegalArgumentException | IndexOutOfBoundsException bad) {
                    throw error("bad unicode escape");
                }
                pos += n;
            }
            default -> throw error("bad escape \\" + e);
        }
    }

    private void skipNewline() {
        if (text.startsWith("\r\n", pos)) {
            pos += 2;
            line++;
        } else if (peek() == '\n') {
            pos++;
            line++;
        }
    }

    private void skipSpaces() {
        while (peek() == ' ' || peek() == '\t') {
            pos++;
        }
    }

    private void skipComment() {
        if (peek() == '#') {
            while (pos < text.length() && peek() != '\n') {
                pos++;
            }
        }
    }

    /** Whitespace, comments and newlines (between statements and inside arrays). */
    private void skipBlankLines() {
        while (true) {
            skipSpaces();
            skipComment();
            if (peek() == '\n') {
                line++;
                pos++;
            } else if (text.startsWith("\r\n", pos)) {
                line++;
                pos += 2;
            } else {
                return;
            }
        }
    }

    private void endOfLine() {
        skipSpaces();
        skipComment();
        if (pos >= text.length()) {
            return;
        }
        if (peek() != '\n' && !text.startsWith("\r\n", pos)) {
            throw error("end of line expected, found '" + peek() + "'");
        }
        skipNewline();
    }

    private void expect(char c) {
        if (peek() != c || pos >= text.length()) {
            throw error("'" + c + "' expected");
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private static boolean isBareKeyChar(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-';
    }

    private static boolean isScalarChar(char c) {
        return isBareKeyChar(c) || c == '.' || c == '+' || c == ':';
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException("line " + line + ": " + message);
    }
}
