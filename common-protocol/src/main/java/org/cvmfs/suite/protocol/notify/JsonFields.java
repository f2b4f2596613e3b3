package org.cvmfs.suite.protocol.notify;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The top-level scalar members of a JSON object, read the way the C++ notification parser
 * reads them: the first occurrence of a key wins, nested values are skipped, and a member whose
 * JSON type differs from the one asked for counts as missing.
 */
final class JsonFields {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final String what;
    private final Map<String, Scalar> fields;

    private JsonFields(String what, Map<String, Scalar> fields) {
        this.what = what;
        this.fields = fields;
    }

    private record Scalar(JsonToken token, String text) {
    }

    static JsonFields read(byte[] json, String what) {
        Map<String, Scalar> fields = new HashMap<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new NotifyMessageException(what + " is not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value.isScalarValue()) {
                    fields.putIfAbsent(name, new Scalar(value, p.getText()));
                } else {
                    fields.putIfAbsent(name, new Scalar(value, value == JsonToken.START_ARRAY ? "[...]" : "{...}"));
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new NotifyMessageException(what + " has data after its JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new NotifyMessageException(what + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new NotifyMessageException(what + " cannot be read: " + e.getMessage());
        }
        return new JsonFields(what, fields);
    }

    String requireString(String name) {
        Scalar s = fields.get(name);
        if (s == null || s.token != JsonToken.VALUE_STRING) {
            throw new NotifyMessageException(what + " field '" + name + "' " + found(s) + ", a string is required");
        }
        return s.text;
    }

    int requireInt(String name) {
        Scalar s = fields.get(name);
        if (s == null || s.token != JsonToken.VALUE_NUMBER_INT) {
            throw new NotifyMessageException(what + " field '" + name + "' " + found(s) + ", an integer is required");
        }
        try {
            return Integer.parseInt(s.text);
        } catch (NumberFormatException e) {
            throw new NotifyMessageException(what + " field '" + name + "' is " + abbreviate(s.text)
                    + ", out of the integer range");
        }
    }

    /** The member as an int, or {@code fallback} when it is absent, not an integer or out of range. */
    int intOr(String name, int fallback) {
        Scalar s = fields.get(name);
        if (s == null || s.token != JsonToken.VALUE_NUMBER_INT) {
            return fallback;
        }
        try {
            return Integer.parseInt(s.text);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String found(Scalar s) {
        if (s == null) {
            return "is missing";
        }
        return switch (s.token) {
            case VALUE_STRING -> "is the string \"" + abbreviate(s.text) + "\"";
            case VALUE_NULL -> "is null";
            default -> "is " + abbreviate(s.text);
        };
    }

    static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
