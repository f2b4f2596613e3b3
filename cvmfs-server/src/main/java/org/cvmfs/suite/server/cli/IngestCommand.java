package org.cvmfs.suite.server.cli;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.server.publish.Publisher;
import org.cvmfs.suite.server.publish.PublisherException;
import org.cvmfs.suite.server.publish.RepositoryArgument;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Publishes a tarball below a base directory of a gateway repository, or deletes one path, "
                + "in a single lease, without unpacking anything to disk.",
            "The tarball may be gzip-compressed; '-' reads it from standard input."})
public final class IngestCommand implements Callable<Integer> {
    @ParentCommand
    ServerCommand server;

    @Spec
    CommandSpec spec;

    @Option(names = {"-t", "--tar_file"}, paramLabel = "TARBALL", description = "the tarball ('-' for stdin)")
    String tarball;

    @Option(names = {"-b", "--base_dir"}, paramLabel = "BASE_DIR", description = "where the tarball's content goes")
    String baseDir;

    @Option(names = {"-d", "--delete"}, paramLabel = "PATH", description = "delete PATH instead")
    String delete;

    @Option(names = {"-c", "--catalog"}, description = "make BASE_DIR the root of a nested catalog")
    boolean nestedCatalog;

    @Option(names = "-a", paramLabel = "TAG", description = "tag name (default: generic-<UTC time> with CVMFS_AUTO_TAG)")
    String tag;

    @Option(names = "-m", paramLabel = "MESSAGE", description = "tag description")
    String message;

    @Option(names = "--lease-timeout", paramLabel = "SECONDS",
            description = "retry while the lease path is busy, for up to SECONDS (0: forever)")
    Long retrySeconds;

    @Parameters(paramLabel = "REPO", description = "repository")
    String target;

    @Override
    public Integer call() {
        return server.run(spec, () -> PublisherCommands.exitCode(spec, () -> {
            String fqrn = RepositoryArgument.parse(target).repository();
            Optional<Duration> retry = Optional.ofNullable(retrySeconds).map(Duration::ofSeconds);
            Publisher publisher = PublisherCommands.publisher(server, spec, fqrn);
            if ((delete == null) == (tarball == null)) {
                throw new PublisherException(PublisherException.FAILED,
                        "give either -t TARBALL with -b BASE_DIR or -d PATH (the gateway takes one of them per lease)");
            }
            if (delete != null) {
                publisher.ingestDelete(RepositoryArgument.parse(fqrn + "/" + delete).path(), Optional.ofNullable(tag),
                        Optional.ofNullable(message), retry);
                return;
            }
            if (baseDir == null) {
                throw new PublisherException(PublisherException.FAILED, "-t needs -b BASE_DIR");
            }
            RepositoryPath base = RepositoryArgument.parse(fqrn + "/" + baseDir).path();
            try (InputStream in = tarball.equals("-") ? System.in : Files.newInputStream(Path.of(tarball))) {
                publisher.ingest(in, base, nestedCatalog, Optional.ofNullable(tag), Optional.ofNullable(message), retry);
            } catch (java.io.IOException e) {
                throw new PublisherException(PublisherException.FAILED, "cannot read " + tarball + ": " + e.getMessage(), e);
            }
        }));
    }
}
