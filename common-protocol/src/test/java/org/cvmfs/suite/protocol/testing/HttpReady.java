package org.cvmfs.suite.protocol.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Waiting until a daemon started as a process answers HTTP 200 on a URL (a health or listing
 * route): stronger than {@link FreePorts#awaitListening}, which only sees the port open. Polls
 * through {@link Await}, and gives up at once when the process exits.
 */
public final class HttpReady {
    private static final Duration INTERVAL = Duration.ofMillis(100);

    private HttpReady() {
    }

    /** True once {@code url} answers 200; false after {@code limit}, or as soon as {@code process} exited. */
    public static boolean await(URI url, Process process, Duration limit) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build();
        boolean[] answered = {false};
        Await.poll(() -> !process.isAlive() || (answered[0] = answers200(http, request)), limit, INTERVAL);
        return answered[0];
    }

    private static boolean answers200(HttpClient http, HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
