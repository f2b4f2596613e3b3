package org.cvmfs.suite.notify.service;

import org.cvmfs.suite.protocol.repository.RepositoryName;
import java.util.Optional;
import org.cvmfs.suite.notify.service.PublicationRefusedException.Cause;
import org.cvmfs.suite.protocol.notify.ActivityMessage;
import org.jboss.logging.Logger;

/**
 * The node: accepts publications (from publishers and from other nodes), keeps the last one per
 * repository, and hands each accepted one to the local subscribers of its repository and, when
 * it came from a publisher, to the relay.
 */
public final class NotificationService {
    private static final Logger LOG = Logger.getLogger(NotificationService.class);

    private final PublicationRules rules;
    private final PublishAuthenticator authenticator;
    private final LastValueCache cache;
    private final SubscriberRegistry registry;
    private final ActivityRelay relay;

    public NotificationService(PublicationRules rules, PublishAuthenticator authenticator, LastValueCache cache,
            SubscriberRegistry registry, ActivityRelay relay) {
        this.rules = rules;
        this.authenticator = authenticator;
        this.cache = cache;
        this.registry = registry;
        this.relay = relay;
    }

    /** Joins the relay and follows every repository already cached. */
    public void start() {
        relay.start(this::acceptRelayed, this::follows);
        cache.repositories().forEach(this::followCached);
    }

    /** Ends every subscription as a failure, so clients reconnect (to this node once restarted, or another). */
    public void stop() {
        registry.all().forEach(Subscriber::abort);
    }

    /**
     * A publish from a publisher.
     *
     * @param body          the request body as received
     * @param authorization the {@code Authorization} header or null
     * @throws PublicationRefusedException when it is not accepted
     */
    public LastValueCache.Outcome publish(byte[] body, String authorization) {
        ActivityMessage message = rules.parse(body);
        authenticator.check(message.repository(), authorization, body);
        Publication p = rules.validate(message, body);
        LastValueCache.Offer offer = cache.offer(p);
        switch (offer.outcome()) {
            case OUTDATED -> throw new PublicationRefusedException(Cause.OUTDATED, "revision " + p.revision()
                    + " of " + p.repository() + " is older than the published revision " + offer.current().revision());
            case DUPLICATE -> LOG.debugf("%s revision %d published again, unchanged", p.repository(), p.revision());
            case ACCEPTED -> {
                LOG.infof("%s is now at revision %d", p.repository(), p.revision());
                followCached(p.repository());
                relay.publish(offer.current());
                fanOut(offer.current());
            }
        }
        return offer.outcome();
    }

    /** A message another node relayed; refused ones are logged, as there is no one to answer. */
    void acceptRelayed(String routingKey, byte[] body) {
        Publication p;
        try {
            p = rules.check(body);
        } catch (PublicationRefusedException e) {
            LOG.warnf("relayed message for %s refused: %s", routingKey, e.getMessage());
            return;
        }
        if (!p.repository().equals(routingKey)) {
            LOG.warnf("relayed message for %s names repository %s, dropped", routingKey, p.repository());
            return;
        }
        LastValueCache.Offer offer = cache.offer(p);
        if (offer.outcome() == LastValueCache.Outcome.ACCEPTED) {
            LOG.infof("%s is now at revision %d (relayed)", p.repository(), p.revision());
            fanOut(offer.current());
        } else {
            LOG.debugf("relayed %s revision %d: %s", p.repository(), p.revision(), offer.outcome());
        }
    }

    /**
     * Registers a subscriber and sends it the cached publication of its repository. Registration
     * comes first, so a publication accepted meanwhile reaches it either way (subscribers drop
     * what is not newer than what they have), and so the relay, which asks whether the node
     * still follows a repository before letting it go, sees the new subscriber.
     *
     * @return the action that ends the subscription
     * @throws IllegalArgumentException when the repository name is not one the service routes
     * @throws BindingLimitException    when the node may follow no more repositories
     */
    public Runnable subscribe(Subscriber s) {
        String repository = s.repository();
        if (!RepositoryName.isValid(repository)) {
            throw new IllegalArgumentException("subscription request field 'repository' is \"" + repository
                    + "\", not a repository name");
        }
        registry.add(s);
        if (!relay.follow(repository)) {
            registry.remove(s);
            throw new BindingLimitException(repository);
        }
        cache.latest(repository).ifPresent(s::deliver);
        return () -> {
            registry.remove(s);
            relay.release(repository);
        };
    }

    /** The relay's question: a repository is followed while it has subscribers here or a cached publication. */
    boolean follows(String repository) {
        return !registry.of(repository).isEmpty() || cache.latest(repository).isPresent();
    }

    private void followCached(String repository) {
        if (!relay.follow(repository)) {
            LOG.warnf("%s is cached but not followed: the node follows as many repositories as it may;"
                    + " its cache entry will not learn of publications made on other nodes", repository);
        }
    }

    public Optional<Publication> latest(String repository) {
        return cache.latest(repository);
    }

    public int subscriberCount() {
        return registry.count();
    }

    public int subscriberCount(String repository) {
        return registry.of(repository).size();
    }

    private void fanOut(Publication p) {
        for (Subscriber s : registry.of(p.repository())) {
            s.deliver(p);
        }
    }
}
