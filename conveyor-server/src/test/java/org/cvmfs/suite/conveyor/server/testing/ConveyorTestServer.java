package org.cvmfs.suite.conveyor.server.testing;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.conveyor.server.config.ConveyorConfigFile;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.testing.PrivatePostgres;
import org.cvmfs.suite.protocol.testing.PrivateRabbitMq;

/**
 * The job server's surroundings for one test class: a database of its own ({@code conveyor_t*},
 * created here, dropped at the end) and exchange/queue names of its own ({@code jobs.t*.new},
 * {@code jobs.t*.done}: the config allows it, and the {@code jobs} prefix keeps upstream's broker
 * permissions), written into a {@code config.toml} the server reads as in production.
 * Init args: {@code schema=psql} applies {@code sql/conveyor-schema.sql} with {@code psql -f}
 * first (the tutorial's way; the server must baseline on it), otherwise the database is empty;
 * {@code services=private} runs a {@link PrivatePostgres} and a {@link PrivateRabbitMq} that the
 * test may stop, start or kill, otherwise the machine's shared servers on 5432/5672 are used.
 */
public final class ConveyorTestServer implements QuarkusTestResourceLifecycleManager {
    public static final String SHARED_KEY = "secret_key";
    public static final int JOB_RETRIES = 2;

    private static volatile Services current;

    private String schema = "empty";
    private boolean privateServices;
    private Services services;

    /** Where the running test class's server keeps its jobs and messages. */
    public record Services(String database, String pgHost, int pgPort, String amqpHost, int amqpPort,
                           String newJobExchange, String newJobQueue, String completedJobExchange,
                           Path dir, PrivatePostgres privatePostgres, PrivateRabbitMq privateRabbitMq) {
        public String jdbcUrl() {
            return "jdbc:postgresql://" + pgHost + ":" + pgPort + "/" + database;
        }

        public java.sql.Connection sql() throws SQLException {
            return DriverManager.getConnection(jdbcUrl(), "postgres", "");
        }

        /** The rows {@code sql} selects, each as its columns' text joined by spaces. */
        public List<String> rows(String sql) throws SQLException {
            try (var c = sql(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
                List<String> out = new java.util.ArrayList<>();
                while (rs.next()) {
                    List<String> cols = new java.util.ArrayList<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        cols.add(String.valueOf(rs.getObject(i)));
                    }
                    out.add(String.join(" ", cols));
                }
                return out;
            }
        }

        public ConnectionFactory amqp() {
            ConnectionFactory f = new ConnectionFactory();
            f.setHost(amqpHost);
            f.setPort(amqpPort);
            f.setUsername("guest");
            f.setPassword("guest");
            f.setVirtualHost("/");
            f.setAutomaticRecoveryEnabled(false);
            f.setConnectionTimeout(5000);
            return f;
        }
    }

    public static Services services() {
        return current;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        schema = initArgs.getOrDefault("schema", "empty");
        privateServices = "private".equals(initArgs.get("services"));
    }

    @Override
    public Map<String, String> start() {
        String tag = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        Path dir = DirectoryTree.createScratch(Path.of(System.getProperty("java.io.tmpdir")), "conveyor-server-test-");
        PrivatePostgres pg = null;
        PrivateRabbitMq mq = null;
        if (privateServices) {
            pg = PrivatePostgres.startNew();
            mq = PrivateRabbitMq.startNew();
        }
        services = new Services("conveyor_" + tag, "127.0.0.1", pg == null ? 5432 : pg.port(),
                "127.0.0.1", mq == null ? 5672 : mq.amqpPort(),
                "jobs." + tag + ".new", "jobs." + tag + ".new", "jobs." + tag + ".done", dir, pg, mq);
        createDatabase();
        if ("psql".equals(schema)) {
            psqlFile(Path.of("../sql/conveyor-schema.sql").toAbsolutePath().normalize());
        }
        Path config = dir.resolve("config.toml");
        try {
            Files.writeString(config, """
                    shared_key = "%s"
                    job_wait_timeout = 60

                    [server]
                    host = "127.0.0.1"
                    port = 8080

                    [queue]
                    username = "guest"
                    password = "guest"
                    host = "%s"
                    port = %d
                    vhost = "/"
                    new_job_exchange = "%s"
                    new_job_queue = "%s"
                    completed_job_exchange = "%s"

                    [db]
                    type = "postgres"
                    database = "%s"
                    username = "postgres"
                    password = "unused-trust-auth"
                    host = "%s"
                    port = %d

                    [worker]
                    job_retries = %d
                    """.formatted(SHARED_KEY, services.amqpHost(), services.amqpPort(), services.newJobExchange(),
                    services.newJobQueue(), services.completedJobExchange(), services.database(), services.pgHost(),
                    services.pgPort(), JOB_RETRIES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.setProperty(ConveyorConfigFile.PROPERTY, config.toString());
        current = services;
        return Map.of(
                "quarkus.http.test-port", "0",
                "quarkus.datasource.jdbc.url", services.jdbcUrl(),
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "unused-trust-auth");
    }

    @Override
    public void stop() {
        System.clearProperty(ConveyorConfigFile.PROPERTY);
        current = null;
        try {
            if (services.privateRabbitMq() == null) {
                deleteBrokerObjects();
            }
            if (services.privatePostgres() == null) {
                try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                     var s = c.createStatement()) {
                    s.execute("DROP DATABASE IF EXISTS \"" + services.database() + "\" WITH (FORCE)");
                } catch (SQLException e) {
                    System.err.println("could not drop test database " + services.database() + ": " + e);
                }
            }
        } finally {
            if (services.privateRabbitMq() != null) {
                services.privateRabbitMq().close();
            }
            if (services.privatePostgres() != null) {
                services.privatePostgres().close();
            }
            DirectoryTree.delete(services.dir());
        }
    }

    private void createDatabase() {
        if (services.privatePostgres() != null) {
            services.privatePostgres().createDatabase(services.database());
            return;
        }
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
             var s = c.createStatement()) {
            s.execute("CREATE DATABASE \"" + services.database() + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database", e);
        }
    }

    private void psqlFile(Path file) {
        if (services.privatePostgres() != null) {
            services.privatePostgres().psqlFile(services.database(), file);
            return;
        }
        try {
            Process p = new ProcessBuilder(List.of("psql", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres",
                    "-d", services.database(), "-v", "ON_ERROR_STOP=1", "-q", "-f", file.toString()))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("psql -f " + file + " failed:\n" + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The shared broker keeps durable objects: remove this class's ones. */
    private void deleteBrokerObjects() {
        try (Connection c = services.amqp().newConnection("conveyor-server-test-cleanup")) {
            Channel ch = c.createChannel();
            for (String q : List.of(services.newJobQueue(), services.newJobQueue() + ".dead")) {
                ch.queueDelete(q);
            }
            for (String x : List.of(services.newJobExchange(), services.completedJobExchange(), services.newJobQueue() + ".dead")) {
                ch.exchangeDelete(x);
            }
        } catch (IOException | java.util.concurrent.TimeoutException e) {
            System.err.println("could not delete test broker objects: " + e);
        }
    }
}
