package org.cvmfs.suite.notify.service;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Who is subscribed to what on this node. Safe for concurrent use. */
public final class SubscriberRegistry {
    private final ConcurrentHashMap<String, Set<Subscriber>> byRepository = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();

    public void add(Subscriber s) {
        byRepository.compute(s.repository(), (repo, set) -> {
            Set<Subscriber> subscribers = set == null ? ConcurrentHashMap.newKeySet() : set;
            if (subscribers.add(s)) {
                count.incrementAndGet();
            }
            return subscribers;
        });
    }

    public void remove(Subscriber s) {
        byRepository.computeIfPresent(s.repository(), (repo, set) -> {
            if (set.remove(s)) {
                count.decrementAndGet();
            }
            return set.isEmpty() ? null : set;
        });
    }

    public Collection<Subscriber> of(String repository) {
        Set<Subscriber> set = byRepository.get(repository);
        return set == null ? List.of() : set;
    }

    public int count() {
        return count.get();
    }

    public List<Subscriber> all() {
        return byRepository.values().stream().flatMap(Set::stream).toList();
    }
}
