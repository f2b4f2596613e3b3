package org.cvmfs.suite.notify.api;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cvmfs.suite.notify.service.Publication;

/**
 * The mailbox of one subscriber connection (an SSE stream or a WebSocket session): at most one
 * publication per repository waits, the newest offered (highest {@link Publication#sequence()}),
 * and one that is not newer than what the connection already had is dropped. A slow reader so
 * holds one message per repository however fast they are published, and never goes back to an
 * older revision. Not thread-safe: it lives on its connection's event loop.
 */
final class PendingPublications {
    private final Map<String, Long> lastSequence = new HashMap<>();
    private final LinkedHashMap<String, Publication> waiting = new LinkedHashMap<>();

    /** @return whether {@code p} is newer than everything offered before for its repository (it now waits) */
    boolean offer(Publication p) {
        if (p.sequence() <= lastSequence.getOrDefault(p.repository(), -1L)) {
            return false;
        }
        lastSequence.put(p.repository(), p.sequence());
        waiting.put(p.repository(), p);
        return true;
    }

    boolean isEmpty() {
        return waiting.isEmpty();
    }

    /** Removes and returns the publication of the repository that has waited longest; null when none waits. */
    Publication take() {
        Iterator<Publication> first = waiting.values().iterator();
        if (!first.hasNext()) {
            return null;
        }
        Publication p = first.next();
        first.remove();
        return p;
    }

    /** The connection is gone: nothing waits any more. */
    void clear() {
        waiting.clear();
    }
}
