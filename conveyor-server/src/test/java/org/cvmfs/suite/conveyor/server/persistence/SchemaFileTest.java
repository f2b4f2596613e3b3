package org.cvmfs.suite.conveyor.server.persistence;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code sql/conveyor-schema.sql} (the tutorial's {@code psql -f}) repeats the Flyway migrations on
 * purpose: an operator applies it without the server, and the server then baselines on it. This
 * test keeps the two from drifting: every statement of every migration stands in the file verbatim.
 */
class SchemaFileTest {
    private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");
    private static final Path PSQL_FILE = Path.of("../sql/conveyor-schema.sql");

    @Test
    void thePsqlFileHoldsEveryMigrationStatement() throws IOException {
        String psql = Files.readString(PSQL_FILE);
        for (String migration : new String[] {"V1__upstream_schema.sql", "V2__job_tracking.sql"}) {
            for (String statement : Files.readString(MIGRATIONS.resolve(migration)).split(";")) {
                String code = withoutComments(statement).strip();
                if (!code.isEmpty()) {
                    assertTrue(psql.contains(code), migration + ": statement missing from " + PSQL_FILE + ":\n" + code);
                }
            }
        }
    }

    private static String withoutComments(String sql) {
        StringBuilder code = new StringBuilder();
        for (String line : sql.split("\n", -1)) {
            if (!line.strip().startsWith("--")) {
                code.append(line).append('\n');
            }
        }
        return code.toString();
    }
}
