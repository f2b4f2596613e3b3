package org.cvmfs.suite.protocol.conveyor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConveyorJsonTest {
    private static final String FULL = "{\"ID\":\"0b5f3c2e-6f1a-4c8e-9d2b-3a4e5f607182\",\"JobName\":\"\",\"Repository\":\"cvm19.cern.ch\","
            + "\"Payload\":\"script|http://host:9000/x/test_transaction.sh|http://host:9000/x/a.tar.gz\","
            + "\"LeasePath\":\"/ripgrep-0.1.0\",\"Dependencies\":null,\"WorkerName\":\"cvm19-publisher-1-1.cern.ch\","
            + "\"StartTime\":\"2019-06-05T08:00:01.5Z\",\"FinishTime\":\"2019-06-05T08:00:09.25Z\",\"Successful\":true,\"ErrorMessage\":\"\"}";

    @Test
    void processedJobRoundTripsByteForByte() {
        ProcessedJob job = read(FULL, ProcessedJob.class);
        assertNull(job.dependencies());
        assertEquals(FULL, ConveyorJson.writeString(job));
    }

    @Test
    void timesAreGoRfc3339Nano() {
        assertEquals("2019-06-05T10:11:12.123456789+02:00",
                ConveyorJson.formatTime(ConveyorJson.parseTime("2019-06-05T10:11:12.123456789+02:00")));
        assertEquals("2019-06-05T10:11:12Z", ConveyorJson.formatTime(ConveyorJson.parseTime("2019-06-05T10:11:12.000Z")));
        assertEquals("0001-01-01T00:00:00Z", ConveyorJson.formatTime(ConveyorJson.ZERO_TIME));
    }

    @Test
    void decodingIsGoLenient() {
        ProcessedJob job = read("{\"id\":\"0B5F3C2E-6F1A-4C8E-9D2B-3A4E5F607182\",\"successful\":true,\"Extra\":1}", ProcessedJob.class);
        assertEquals("0b5f3c2e-6f1a-4c8e-9d2b-3a4e5f607182", job.id());
        assertTrue(job.successful());
        assertEquals("", job.repository());
        assertEquals(ConveyorJson.ZERO_TIME, job.startTime());
        assertThrows(MalformedJobException.class, () -> read("{\"ID\":\"not-a-uuid\"}", ProcessedJob.class));
        assertThrows(MalformedJobException.class, () -> read("{\"StartTime\":\"yesterday\"}", ProcessedJob.class));
        assertThrows(MalformedJobException.class, () -> read("{", JobSpecification.class));
        assertThrows(MalformedJobException.class, () -> read("null", JobSpecification.class));
    }

    @Test
    void unprocessedJobAndExtensions() {
        JobSpecification spec = new JobSpecification("n", "r.cern.ch", "", "/a", List.of());
        UnprocessedJob first = UnprocessedJob.of("0b5f3c2e-6f1a-4c8e-9d2b-3a4e5f607182", spec, null);
        assertEquals("{\"ID\":\"0b5f3c2e-6f1a-4c8e-9d2b-3a4e5f607182\",\"JobName\":\"n\",\"Repository\":\"r.cern.ch\","
                + "\"Payload\":\"\",\"LeasePath\":\"/a\",\"Dependencies\":[]}", ConveyorJson.writeString(first));
        UnprocessedJob second = UnprocessedJob.of(first.id(), spec, 2);
        assertTrue(ConveyorJson.writeString(second).endsWith(",\"Dependencies\":[],\"Attempt\":2}"));
        assertEquals(2, read(ConveyorJson.writeString(second), UnprocessedJob.class).attemptNumber());
        assertEquals(1, first.attemptNumber());
    }

    @Test
    void replies() {
        assertEquals("{\"Status\":\"ok\",\"ID\":\"x\"}", ConveyorJson.writeString(Replies.PostNewJobReply.ok("x")));
        assertEquals("{\"Status\":\"ok\"}", ConveyorJson.writeString(Replies.GetJobStatusReply.shortForm(List.of())));
        assertEquals("{\"Status\":\"ok\",\"IDs\":[{\"ID\":\"0b5f3c2e-6f1a-4c8e-9d2b-3a4e5f607182\",\"Successful\":false}]}",
                ConveyorJson.writeString(Replies.GetJobStatusReply.shortForm(
                        List.of(new JobStatus("0b5f3c2e-6f1a-4c8e-9d2b-3a4e5f607182", false)))));
        assertEquals("{\"Status\":\"error\",\"Reason\":\"SQL query failed\"}",
                ConveyorJson.writeString(Replies.GetJobStatusReply.error("SQL query failed")));
        assertEquals("{\"Status\":\"ok\"}", ConveyorJson.writeString(Replies.BasicReply.ok()));
        assertFalse(read("{\"Status\":\"error\"}", Replies.BasicReply.class).isOk());
    }

    private static <T> T read(String json, Class<T> type) {
        return ConveyorJson.read(json.getBytes(StandardCharsets.UTF_8), type);
    }
}
