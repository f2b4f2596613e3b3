package org.cvmfs.suite.protocol.notify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseFramingTest {
    @Test
    void framesOneDataLineAndABlankLine() {
        assertArrayEquals("data: {\"a\" : 1}\n\n".getBytes(StandardCharsets.US_ASCII),
                SseFraming.frame("{\"a\" : 1}".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void refusesToFrameAMultiLineMessage() {
        assertThrows(IllegalArgumentException.class, () -> SseFraming.frame("{\n}".getBytes(StandardCharsets.US_ASCII)));
        assertThrows(IllegalArgumentException.class, () -> SseFraming.frame("{\r}".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void stripsLineBreaksAndKeepsOneLineMessagesAsTheyAre() {
        byte[] oneLine = "{ \"a\" : 1}".getBytes(StandardCharsets.US_ASCII);
        assertSame(oneLine, SseFraming.stripLineBreaks(oneLine));
        assertArrayEquals("{  \"a\": 1}".getBytes(StandardCharsets.US_ASCII),
                SseFraming.stripLineBreaks("{\r\n  \"a\": 1\n}".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void decoderFollowsTheEventStreamRules() {
        SseEventDecoder d = new SseEventDecoder();
        List<String> events = new ArrayList<>();
        for (String line : List.of(": comment", "event: x", "id: 7", "data: first", "", "", "data:two",
                "data:  lines", "", "{\"status\":\"timeout\"}", "data", "", "dataX: no")) {
            d.line(line).ifPresent(events::add);
        }
        assertEquals(List.of("first", "two\n lines", ""), events);
    }
}
