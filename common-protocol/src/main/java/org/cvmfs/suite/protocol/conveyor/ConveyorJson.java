package org.cvmfs.suite.protocol.conveyor;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.UUID;

/**
 * JSON as upstream's Go code reads and writes it (spec 4.4, 5.1): PascalCase names in upstream's
 * order; decoding matches names case-insensitively, ignores unknown fields and gives missing
 * ones zero values; times are RFC 3339 with trailing fractional zeros dropped (Go's
 * {@code RFC3339Nano}), the zero time being {@value #ZERO_TIME_TEXT}.
 */
public final class ConveyorJson {
    public static final String ZERO_TIME_TEXT = "0001-01-01T00:00:00Z";
    public static final OffsetDateTime ZERO_TIME = OffsetDateTime.of(1, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    public static final String ZERO_UUID = "00000000-0000-0000-0000-000000000000";

    private static final DateTimeFormatter RFC3339_NANO = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .appendOffset("+HH:MM", "Z")
            .toFormatter(Locale.ROOT);

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .addModule(new SimpleModule("conveyor-time")
                    .addSerializer(OffsetDateTime.class, new TimeSerializer())
                    .addDeserializer(OffsetDateTime.class, new TimeDeserializer()))
            .build();

    private ConveyorJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    public static String writeString(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Decodes {@code json}; {@link MalformedJobException} when it is not a decodable {@code type}. */
    public static <T> T read(byte[] json, Class<T> type) {
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new MalformedJobException("JSON null is not a " + type.getSimpleName());
            }
            return value;
        } catch (IOException | IllegalArgumentException e) {
            throw new MalformedJobException(e.getMessage(), e);
        }
    }

    /** Go's RFC3339Nano text of {@code time}. */
    public static String formatTime(OffsetDateTime time) {
        return RFC3339_NANO.format(time);
    }

    public static OffsetDateTime parseTime(String text) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an RFC 3339 time: '" + text + "'", e);
        }
    }

    /** A UUID in canonical form (lower case, hyphenated, 36 characters); else an exception. */
    public static String canonicalUuid(String text) {
        if (text == null || text.length() != 36) {
            throw new IllegalArgumentException("invalid UUID: '" + text + "'");
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (!UUID.fromString(lower).toString().equals(lower)) {
            throw new IllegalArgumentException("invalid UUID: '" + text + "'");
        }
        return lower;
    }

    private static final class TimeSerializer extends JsonSerializer<OffsetDateTime> {
        @Override
        public void serialize(OffsetDateTime value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(formatTime(value));
        }
    }

    private static final class TimeDeserializer extends JsonDeserializer<OffsetDateTime> {
        @Override
        public OffsetDateTime deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return parseTime(p.getValueAsString());
        }
    }
}
