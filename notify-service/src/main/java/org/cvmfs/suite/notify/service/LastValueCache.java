package org.cvmfs.suite.notify.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.cvmfs.suite.protocol.files.AtomicFile;
import org.jboss.logging.Logger;

/**
 * The last accepted publication of each repository, in memory and on disk
 * ({@code <dir>/<repository>.json}, the message bytes as published), so a new subscriber is
 * served at once even after a restart. It enforces revision order: a lower revision is refused,
 * a byte-identical message is a no-op, anything else at an equal or higher revision replaces
 * the entry. Offers for one repository are serialized; different repositories do not wait on
 * each other.
 */
public final class LastValueCache {
    private static final Logger LOG = Logger.getLogger(LastValueCache.class);
    private static final String SUFFIX = ".json";

    private final Path dir;
    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    private static final class Slot {
        private AcceptedActivity current;
    }

    /** What an offer did. {@code current} is the entry after the offer. */
    public record Offer(Outcome outcome, AcceptedActivity current) {
    }

    public enum Outcome { ACCEPTED, DUPLICATE, OUTDATED }

    private LastValueCache(Path dir) {
        this.dir = dir;
    }

    /** Opens the cache in {@code dir}, creating it, and loads every entry that still passes {@code rules}. */
    public static LastValueCache open(Path dir, PublicationRules rules) {
        LastValueCache cache = new LastValueCache(dir);
        try {
            Files.createDirectories(dir);
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, ".*.tmp")) {
                for (Path file : leftovers) {
                    Files.deleteIfExists(file);
                }
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
                for (Path file : files) {
                    cache.load(file, rules);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the notification cache " + dir, e);
        }
        return cache;
    }

    private void load(Path file, PublicationRules rules) throws IOException {
        String name = file.getFileName().toString();
        String repository = name.substring(0, name.length() - SUFFIX.length());
        try {
            AcceptedActivity p = rules.check(Files.readAllBytes(file));
            if (!p.repository().equals(repository)) {
                throw new PublicationRefusedException(PublicationRefusedException.Cause.MALFORMED,
                        "the file holds a message of repository " + p.repository());
            }
            slot(repository).current = p.accepted(sequence.incrementAndGet());
            LOG.infof("cached manifest of %s at revision %d loaded", repository, p.revision());
        } catch (PublicationRefusedException e) {
            LOG.warnf("ignoring cache file %s: %s", file, e.getMessage());
        }
    }

    public Optional<AcceptedActivity> latest(String repository) {
        Slot s = slots.get(repository);
        if (s == null) {
            return Optional.empty();
        }
        synchronized (s) {
            return Optional.ofNullable(s.current);
        }
    }

    public Set<String> repositories() {
        return Set.copyOf(slots.keySet());
    }

    /** Offers a publication; an accepted one is on disk before this returns. */
    public Offer offer(AcceptedActivity p) {
        Slot s = slot(p.repository());
        synchronized (s) {
            AcceptedActivity current = s.current;
            if (current != null) {
                if (p.revision() < current.revision()) {
                    return new Offer(Outcome.OUTDATED, current);
                }
                if (Arrays.equals(p.wire(), current.wire())) {
                    return new Offer(Outcome.DUPLICATE, current);
                }
            }
            store(p);
            s.current = p.accepted(sequence.incrementAndGet());
            return new Offer(Outcome.ACCEPTED, s.current);
        }
    }

    private Slot slot(String repository) {
        return slots.computeIfAbsent(repository, r -> new Slot());
    }

    private void store(AcceptedActivity p) {
        AtomicFile.replace(dir.resolve(p.repository() + SUFFIX), p.wire());
    }
}
