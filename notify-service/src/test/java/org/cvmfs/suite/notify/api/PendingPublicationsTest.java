package org.cvmfs.suite.notify.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cvmfs.suite.notify.service.Publication;
import org.junit.jupiter.api.Test;

class PendingPublicationsTest {
    private final PendingPublications mailbox = new PendingPublications();

    @Test
    void keepsTheNewestPerRepositoryInTheOrderTheRepositoriesFirstWaited() {
        Publication a1 = publication("a.test", 1);
        Publication b2 = publication("b.test", 2);
        Publication a3 = publication("a.test", 3);
        assertTrue(mailbox.offer(a1));
        assertTrue(mailbox.offer(b2));
        assertTrue(mailbox.offer(a3));
        assertSame(a3, mailbox.take(), "a.test waited first; its newest replaced the older one");
        assertSame(b2, mailbox.take());
        assertNull(mailbox.take());
        assertTrue(mailbox.isEmpty());
    }

    @Test
    void dropsWhatIsNotNewerThanWhatTheConnectionAlreadyHad() {
        assertTrue(mailbox.offer(publication("a.test", 5)));
        assertEquals(5, mailbox.take().sequence());
        assertFalse(mailbox.offer(publication("a.test", 5)), "the same publication again");
        assertFalse(mailbox.offer(publication("a.test", 4)), "an older one, e.g. the cached one after a fan-out");
        assertTrue(mailbox.isEmpty());
        assertTrue(mailbox.offer(publication("b.test", 4)), "sequences are compared per repository");
        assertTrue(mailbox.offer(publication("a.test", 6)));
    }

    @Test
    void holdsNothingOnceTheConnectionIsGone() {
        mailbox.offer(publication("a.test", 1));
        mailbox.clear();
        assertTrue(mailbox.isEmpty());
        assertNull(mailbox.take());
        assertFalse(mailbox.offer(publication("a.test", 1)), "still remembers what it had");
    }

    private static Publication publication(String repository, long sequence) {
        byte[] wire = (repository + sequence).getBytes();
        return new Publication(repository, sequence, wire, wire, sequence);
    }
}
