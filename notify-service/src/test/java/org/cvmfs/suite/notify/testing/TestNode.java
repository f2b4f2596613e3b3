package org.cvmfs.suite.notify.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.cvmfs.suite.notify.config.NotifySettings;
import org.cvmfs.suite.notify.relay.RabbitRelay;
import org.cvmfs.suite.notify.service.LastValueCache;
import org.cvmfs.suite.notify.service.NotificationService;
import org.cvmfs.suite.notify.service.Publication;
import org.cvmfs.suite.notify.service.PublicationRules;
import org.cvmfs.suite.notify.service.PublishAuthenticator;
import org.cvmfs.suite.notify.service.Subscriber;
import org.cvmfs.suite.notify.service.SubscriberRegistry;
import org.cvmfs.suite.protocol.files.DirectoryTree;

/** A notification node without HTTP: the service, its own cache directory, and a relay to a broker. */
public final class TestNode implements AutoCloseable {
    private static final PublicationRules RULES = new PublicationRules((repository, manifest) -> { });

    public final Path cache;
    public final RabbitRelay relay;
    public final NotificationService service;

    private TestNode(NotifySettings.Amqp amqp) {
        try {
            cache = Files.createTempDirectory("notify-node");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        relay = RabbitRelay.create(amqp);
        service = new NotificationService(RULES, new PublishAuthenticator(NotifySettings.PublishAuth.NONE, cache),
                LastValueCache.open(cache.resolve("cache"), RULES), new SubscriberRegistry(), relay);
        service.start();
    }

    public static TestNode start(NotifySettings.Amqp amqp) {
        return new TestNode(amqp);
    }

    public Recorder subscribe(String repository) {
        Recorder r = new Recorder(repository);
        r.unsubscribe = service.subscribe(r);
        return r;
    }

    @Override
    public void close() {
        service.stop();
        relay.stop();
        DirectoryTree.delete(cache);
    }

    /** A subscriber that keeps what it is handed. */
    public static final class Recorder implements Subscriber {
        private final String repository;
        public final BlockingQueue<Publication> received = new LinkedBlockingQueue<>();
        private Runnable unsubscribe;

        Recorder(String repository) {
            this.repository = repository;
        }

        @Override
        public String repository() {
            return repository;
        }

        @Override
        public void deliver(Publication publication) {
            received.add(publication);
        }

        @Override
        public void abort() {
        }

        public void unsubscribe() {
            unsubscribe.run();
        }
    }
}
