package org.cvmfs.suite.notify.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.cvmfs.suite.notify.service.NotificationService;
import org.cvmfs.suite.notify.testing.Await;
import org.cvmfs.suite.notify.testing.NotifyTestHost;
import org.cvmfs.suite.notify.testing.TestMessages;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.notify.ActivityMessage;
import org.cvmfs.suite.protocol.notify.NotifyClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Many SSE subscribers on one node, through the client library the gateway and the CLI use. */
@QuarkusTest
@QuarkusTestResource(NotifyTestHost.class)
class ManySubscribersTest {
    @TestHTTPResource
    URL root;

    @Inject
    NotificationService service;

    private ExecutorService callbacks;
    private ExecutorService publishers;
    private NotifyClient client;
    private final List<NotifyClient.Subscription> open = new ArrayList<>();
    /** What went wrong on a client callback thread, where a thrown assertion would be lost. */
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void client() {
        // few threads for the client side: connections need none of their own
        callbacks = Executors.newFixedThreadPool(4);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(callbacks).build();
        client = NotifyClient.create(URI.create("http://127.0.0.1:" + root.getPort() + "/api/v1"), http);
    }

    @AfterEach
    void close() {
        open.forEach(NotifyClient.Subscription::close);
        callbacks.shutdownNow();
        if (publishers != null) {
            publishers.shutdownNow();
        }
    }

    @Test
    void aThousandSubscribersEachReceiveAPublish() throws Exception {
        int n = 1000;
        CountDownLatch connected = new CountDownLatch(n);
        CountDownLatch received = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            open.add(client.subscribe("thousand.test", new NotifyClient.Listener() {
                @Override
                public void onConnected() {
                    connected.countDown();
                }

                @Override
                public void onMessage(ActivityMessage message) {
                    received.countDown();
                }
            }));
        }
        assertTrue(connected.await(90, TimeUnit.SECONDS), connected.getCount() + " subscribers not connected");
        assertEquals(n, service.subscriberCount("thousand.test"));
        assertTrue(client.publish(TestMessages.message("thousand.test", 1)).accepted());
        assertTrue(received.await(90, TimeUnit.SECONDS), received.getCount() + " subscribers got nothing");

        open.forEach(NotifyClient.Subscription::close);
        Await.until(() -> service.subscriberCount("thousand.test") == 0, "subscriptions of closed connections are removed");
    }

    @Test
    void concurrentPublishesAndHangupsLeaveEverySubscriberAtTheHighestRevision() throws Exception {
        String repo = "race.test";
        int stayers = 40;
        int highest = 240;
        List<AtomicLong> seen = new ArrayList<>();
        CountDownLatch connected = new CountDownLatch(stayers);
        for (int i = 0; i < stayers; i++) {
            AtomicLong last = new AtomicLong();
            seen.add(last);
            open.add(client.subscribe(repo, listener(connected, last, violations)));
        }
        assertTrue(connected.await(60, TimeUnit.SECONDS));

        publishers = Executors.newFixedThreadPool(8);
        ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int first = t + 1;
            work.add(publishers.submit(() -> {
                for (int revision = first; revision <= highest; revision += 8) {
                    statuses.add(client.publish(TestMessages.message(repo, revision)).status());
                }
                return null;
            }));
        }
        work.add(publishers.submit(() -> {
            for (int i = 0; i < 60; i++) {
                NotifyClient.Subscription s = client.subscribe(repo, listener(new CountDownLatch(1), new AtomicLong(), violations));
                Thread.sleep(i % 5);
                s.close();
            }
            return null;
        }));
        for (Future<?> f : work) {
            f.get(120, TimeUnit.SECONDS);
        }

        assertTrue(statuses.stream().allMatch(s -> s == 200 || s == 409), "only accepted or outdated: " + statuses);
        assertEquals(highest, service.latest(repo).orElseThrow().revision());
        Await.until(() -> seen.stream().allMatch(l -> l.get() == highest), "every subscriber ends at revision " + highest);
        Await.until(() -> service.subscriberCount(repo) == stayers, "the hung-up subscribers are gone");
        assertEquals(List.of(), List.copyOf(violations), "no subscriber ever got an older revision or the same one twice");
    }

    private static NotifyClient.Listener listener(CountDownLatch connected, AtomicLong last,
            ConcurrentLinkedQueue<String> violations) {
        return new NotifyClient.Listener() {
            @Override
            public void onConnected() {
                connected.countDown();
            }

            @Override
            public void onMessage(ActivityMessage message) {
                long revision = Manifest.parseBody(message.manifest()).revision();
                long before = last.getAndAccumulate(revision, Math::max);
                if (revision <= before) {
                    violations.add("revision " + revision + " after " + before);
                }
            }
        };
    }
}
