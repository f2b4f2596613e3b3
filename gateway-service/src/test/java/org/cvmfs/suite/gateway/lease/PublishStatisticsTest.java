package org.cvmfs.suite.gateway.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.cvmfs.suite.protocol.pack.PackSummary;
import org.junit.jupiter.api.Test;

/** A lease's statistics are the field-by-field sum of its payloads' pack summaries. */
class PublishStatisticsTest {
    @Test
    void payloadsAddUpFieldByField() {
        PublishStatistics first = PublishStatistics.of(new PackSummary(1, 2, 3, 4, 5));
        assertEquals(new PublishStatistics(1, 2, 3, 4, 5), first);
        assertEquals(new PublishStatistics(11, 22, 33, 44, 55), first.plus(new PublishStatistics(10, 20, 30, 40, 50)));
        assertEquals(first, PublishStatistics.NONE.plus(first));
    }
}
