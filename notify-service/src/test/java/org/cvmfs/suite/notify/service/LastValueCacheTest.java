package org.cvmfs.suite.notify.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.notify.testing.TestMessages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LastValueCacheTest {
    private final PublicationRules rules = new PublicationRules((repository, manifest) -> { });

    @TempDir
    Path dir;

    @Test
    void survivesARestart() {
        LastValueCache cache = LastValueCache.open(dir, rules);
        cache.offer(publication("a.test", 3));
        cache.offer(publication("b.test", 1));
        LastValueCache reopened = LastValueCache.open(dir, rules);
        assertEquals(3, reopened.latest("a.test").orElseThrow().revision());
        assertArrayEquals(TestMessages.json("a.test", 3), reopened.latest("a.test").orElseThrow().wire());
        assertEquals(java.util.Set.of("a.test", "b.test"), reopened.repositories());
        assertEquals(LastValueCache.Outcome.OUTDATED, reopened.offer(publication("a.test", 2)).outcome());
    }

    @Test
    void refusesOlderIgnoresIdenticalAndReplacesOtherwise() {
        LastValueCache cache = LastValueCache.open(dir, rules);
        LastValueCache.Offer first = cache.offer(publication("a.test", 5));
        assertEquals(LastValueCache.Outcome.ACCEPTED, first.outcome());
        assertEquals(LastValueCache.Outcome.DUPLICATE, cache.offer(publication("a.test", 5)).outcome());
        LastValueCache.Offer older = cache.offer(publication("a.test", 4));
        assertEquals(LastValueCache.Outcome.OUTDATED, older.outcome());
        assertEquals(5, older.current().revision());
        LastValueCache.Offer newer = cache.offer(publication("a.test", 6));
        assertEquals(LastValueCache.Outcome.ACCEPTED, newer.outcome());
        assertTrue(newer.current().sequence() > first.current().sequence());
    }

    @Test
    void skipsDamagedFilesAndLeftoversAtStart() throws Exception {
        Files.writeString(dir.resolve("broken.test.json"), "{not json");
        Files.write(dir.resolve("liar.test.json"), TestMessages.json("other.test", 1));
        Files.writeString(dir.resolve(".good.test.json.123.tmp"), "half written");
        Files.write(dir.resolve("good.test.json"), TestMessages.json("good.test", 2));
        LastValueCache cache = LastValueCache.open(dir, rules);
        assertEquals(java.util.Set.of("good.test"), cache.repositories());
        assertTrue(Files.notExists(dir.resolve(".good.test.json.123.tmp")));
    }

    @Test
    void concurrentOffersEndAtTheHighestRevisionWithAcceptedSequencesInRevisionOrder() throws Exception {
        LastValueCache cache = LastValueCache.open(dir, rules);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            offerConcurrently(cache, pool);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(400, LastValueCache.open(dir, rules).latest("race.test").orElseThrow().revision());
    }

    private void offerConcurrently(LastValueCache cache, ExecutorService pool) throws Exception {
        List<Future<List<LastValueCache.Offer>>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int first = t + 1;
            results.add(pool.submit(() -> {
                List<LastValueCache.Offer> offers = new ArrayList<>();
                for (int r = first; r <= 400; r += 8) {
                    offers.add(cache.offer(publication("race.test", r)));
                }
                return offers;
            }));
        }
        List<Publication> accepted = new ArrayList<>();
        for (Future<List<LastValueCache.Offer>> f : results) {
            f.get(60, TimeUnit.SECONDS).stream()
                    .filter(o -> o.outcome() == LastValueCache.Outcome.ACCEPTED)
                    .forEach(o -> accepted.add(o.current()));
        }
        assertEquals(400, cache.latest("race.test").orElseThrow().revision());
        accepted.sort((a, b) -> Long.compare(a.sequence(), b.sequence()));
        for (int i = 1; i < accepted.size(); i++) {
            assertTrue(accepted.get(i).revision() > accepted.get(i - 1).revision(), "sequence order is revision order");
        }
    }

    private Publication publication(String repository, long revision) {
        return rules.check(TestMessages.json(repository, revision));
    }
}
