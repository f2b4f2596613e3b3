package org.cvmfs.suite.protocol.conveyor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cvmfs.suite.protocol.config.ConfigException;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConveyorConfigTest {
    private static final Path TUTORIAL = Fixtures.root().resolve("cvm19-tutorial/conveyor-config");

    @TempDir
    Path dir;

    @Test
    void tutorialGatewayFileLoadsForTheServer() {
        ConveyorConfig c = ConveyorConfig.load(TUTORIAL.resolve("config_gw.toml"), ConveyorConfig.Profile.SERVER, k -> null);
        assertEquals("secret_key", c.sharedKey());
        assertEquals(7200, c.jobWaitTimeout());
        assertEquals("http://localhost:8080", c.server().baseUrl().toString());
        assertEquals(new ConveyorConfig.Queue("guest", "guest", "localhost", 5672, "/", "jobs.new", "jobs.new", "jobs.done"), c.queue());
        assertEquals(new ConveyorConfig.Db("postgres", "cvmfs", "postgres", "password", "localhost", 5432), c.db());
        assertEquals("jdbc:postgresql://localhost:5432/cvmfs", c.db().jdbcUrl());
        assertEquals(3, c.worker().jobRetries());
        assertEquals("/tmp/conveyor-worker", c.worker().tempDir());
        assertFalse(c.worker().name().isEmpty(), "worker name defaults to the host name");
        c.requirePostgres();
    }

    @Test
    void tutorialPublisherAndFrontFilesLoad() {
        ConveyorConfig p = ConveyorConfig.load(TUTORIAL.resolve("config_publisher.toml"), ConveyorConfig.Profile.WORKER, k -> null);
        assertEquals("http://cvm19-gw-$ID.cern.ch:8080", p.server().baseUrl().toString());
        assertEquals(3, p.worker().jobRetries());
        ConveyorConfig f = ConveyorConfig.load(TUTORIAL.resolve("config_front.toml"), ConveyorConfig.Profile.CLIENT, k -> null);
        assertEquals("cvm19-gw-$ID.cern.ch", f.queue().host());
        assertFalse(f.debug());
        // the front file has no [db]: the server profile refuses it with upstream's message
        ConfigException e = assertThrows(ConfigException.class, () -> ConveyorConfig.load(
                TUTORIAL.resolve("config_front.toml"), ConveyorConfig.Profile.SERVER, k -> null));
        assertEquals("invalid configuration: Database type is unset", e.getMessage());
    }

    @Test
    void defaultsOfAMinimalFile() throws IOException {
        ConveyorConfig c = load("shared_key='k'\n[queue]\nusername='u'\npassword='p'\nhost='h'\n[server]\n", ConveyorConfig.Profile.CLIENT, Map.of());
        assertEquals(7200, c.jobWaitTimeout());
        assertEquals(8080, c.server().port());
        assertEquals("/cvmfs/", c.queue().vhost());
        assertEquals(5672, c.queue().port());
        assertEquals(5432, c.db().port());
        assertEquals("/tmp/conveyor-worker", c.worker().tempDir());
        assertEquals("http://:8080", c.server().baseUrl().toString());
    }

    @Test
    void keysAreCaseInsensitiveAndNumbersMayBeStrings() throws IOException {
        ConveyorConfig c = load("Shared_Key='k'\nJOB_WAIT_TIMEOUT='60'\n[Queue]\nUserName='u'\npassword='p'\nhost='h'\nport='5673'\n"
                + "[SERVER]\nhost='https://gw'\nport=\"9090\"\nunknown_key=1\n", ConveyorConfig.Profile.CLIENT, Map.of());
        assertEquals(60, c.jobWaitTimeout());
        assertEquals(5673, c.queue().port());
        assertEquals("https://gw:9090", c.server().baseUrl().toString());
    }

    @Test
    void missingServerSectionIsRefusedForEveryProfile() throws IOException {
        for (ConveyorConfig.Profile profile : ConveyorConfig.Profile.values()) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> load("shared_key='k'\n[queue]\nusername='u'\n", profile, Map.of()));
            assertEquals("Could not read config; missing server section", e.getMessage());
        }
    }

    @Test
    void validationMessagesInUpstreamOrder() throws IOException {
        assertInvalid("[server]\n", "shared API key is unset");
        assertInvalid("shared_key='UNSET'\n[server]\n", "shared API key is unset");
        assertInvalid("shared_key='k'\n[server]\n", "RabbitMQ username is unset");
        assertInvalid("shared_key='k'\n[queue]\nusername='u'\n[server]\n", "RabbitMQ password is unset");
        assertInvalid("shared_key='k'\n[queue]\nusername='u'\npassword='p'\nhost='UNSET'\n[server]\n", "RabbitMQ hostname is unset");
        String queue = "shared_key='k'\n[queue]\nusername='u'\npassword='p'\nhost='h'\n[server]\n";
        assertInvalid(queue + "[db]\n", "Database type is unset");
        assertInvalid(queue + "[db]\ntype='postgres'\n", "Database name is unset");
        assertInvalid(queue + "[db]\ntype='postgres'\ndatabase='d'\n", "Database username is unset");
        assertInvalid(queue + "[db]\ntype='postgres'\ndatabase='d'\nusername='x'\n", "Database password is unset");
        assertInvalid(queue + "[db]\ntype='postgres'\ndatabase='d'\nusername='x'\npassword='y'\n", "Database hostname is unset");
        ConveyorConfig mysql = load(queue + "[db]\ntype='mysql'\ndatabase='d'\nusername='x'\npassword='y'\nhost='z'\n",
                ConveyorConfig.Profile.SERVER, Map.of());
        assertEquals("unknown database type", assertThrows(ConfigException.class, mysql::requirePostgres).getMessage());
    }

    @Test
    void environmentOverridesNonEmptyOnlyAndDbOnlyForTheServer() throws IOException {
        String text = "shared_key='k'\n[queue]\nusername='u'\npassword='p'\nhost='h'\n[server]\n"
                + "[db]\ntype='postgres'\ndatabase='d'\nusername='x'\npassword='y'\nhost='z'\n";
        Map<String, String> env = Map.of("CONVEYOR_SHARED_KEY", "env-key", "CONVEYOR_QUEUE_USER", "",
                "CONVEYOR_QUEUE_PASS", "env-pass", "CONVEYOR_DB_USER", "env-user", "CONVEYOR_DB_PASS", "env-db-pass");
        ConveyorConfig server = load(text, ConveyorConfig.Profile.SERVER, env);
        assertEquals("env-key", server.sharedKey());
        assertEquals("u", server.queue().username(), "empty variable does not override");
        assertEquals("env-pass", server.queue().password());
        assertEquals("env-user", server.db().username());
        assertEquals("env-db-pass", server.db().password());
        ConveyorConfig client = load(text, ConveyorConfig.Profile.CLIENT, env);
        assertEquals("x", client.db().username());
        assertTrue(ConveyorConfig.mockWorker(Map.of("CONVEYOR_MOCK_WORKER", "Yes")::get));
        assertFalse(ConveyorConfig.mockWorker(Map.of("CONVEYOR_MOCK_WORKER", "1")::get));
    }

    @Test
    void missingAndMalformedFilesAreConfigErrors() throws IOException {
        assertThrows(ConfigException.class, () -> ConveyorConfig.load(dir.resolve("none.toml"), ConveyorConfig.Profile.CLIENT, k -> null));
        assertThrows(ConfigException.class, () -> load("shared_key = = 'x'\n[server]\n", ConveyorConfig.Profile.CLIENT, Map.of()));
        assertThrows(ConfigException.class, () -> load("[server]\nport='eighty'\n", ConveyorConfig.Profile.CLIENT, Map.of()));
    }

    private void assertInvalid(String text, String message) throws IOException {
        ConfigException e = assertThrows(ConfigException.class, () -> load(text, ConveyorConfig.Profile.SERVER, Map.of()));
        assertEquals("invalid configuration: " + message, e.getMessage());
    }

    private ConveyorConfig load(String text, ConveyorConfig.Profile profile, Map<String, String> env) throws IOException {
        Path file = Files.writeString(dir.resolve("config.toml"), text);
        return ConveyorConfig.load(file, profile, env::get);
    }
}
