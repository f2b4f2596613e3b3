package org.cvmfs.suite.conveyor.server.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.cvmfs.suite.conveyor.server.testing.ConveyorTestServer;
import org.cvmfs.suite.conveyor.server.testing.Signed;
import org.junit.jupiter.api.Test;

/**
 * The tutorial applies the schema with {@code psql -f sql/conveyor-schema.sql} before the first
 * start: the server must baseline on that database (Flyway version 1), apply only what is
 * missing, leave upstream's {@code SchemaVersion} as it is, and then work.
 */
@QuarkusTest
@WithTestResource(value = ConveyorTestServer.class, initArgs = @ResourceArg(name = "schema", value = "psql"))
class SchemaBaselineTest {

    @Test
    void startsOnADatabaseWherePsqlAppliedTheSchema() throws Exception {
        assertEquals(List.of("1 BASELINE true", "2 SQL true"),
                ConveyorTestServer.services().rows("SELECT version, type, success FROM conveyor_flyway_history ORDER BY installed_rank"));
        assertEquals(List.of("1 null"), ConveyorTestServer.services().rows("SELECT VersionNumber, ValidTo FROM SchemaVersion"));
        String reply = Signed.post("/jobs/new", "{\"Repository\":\"baseline.cern.ch\",\"LeasePath\":\"/\",\"Dependencies\":[]}")
                .then().statusCode(200).extract().asString();
        String id = reply.substring(reply.indexOf("\"ID\":\"") + 6, reply.length() - 2);
        Signed.post("/jobs/complete", "{\"ID\":\"" + id + "\",\"Repository\":\"baseline.cern.ch\",\"WorkerName\":\"w\","
                        + "\"StartTime\":\"2024-01-01T00:00:00Z\",\"FinishTime\":\"2024-01-01T00:00:01Z\",\"Successful\":true}")
                .then().statusCode(200);
        assertEquals(List.of("succeeded true"),
                ConveyorTestServer.services().rows("SELECT j.state, u.Successful FROM conveyor_job j JOIN Jobs u ON u.ID = j.id WHERE j.id = '" + id + "'"));
    }

}
