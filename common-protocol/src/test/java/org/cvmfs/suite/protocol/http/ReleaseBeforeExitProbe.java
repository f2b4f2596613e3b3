package org.cvmfs.suite.protocol.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Run by {@link HttpClientsTest} in a JVM of its own (the release ends every client of its JVM):
 * one request with a suite client, then {@link HttpClients#releaseBeforeExit}, printing the
 * client selector threads alive before and after.
 */
public final class ReleaseBeforeExitProbe {
    private ReleaseBeforeExitProbe() {
    }

    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClients.newBuilder().build();
        HttpRequest hello = HttpRequest.newBuilder(URI.create(args[0])).build();
        String body = client.send(hello, HttpResponse.BodyHandlers.ofString()).body();
        System.out.println("body " + body);
        System.out.println("selectors before " + selectors());
        HttpClients.releaseBeforeExit();
        System.out.println("selectors after " + selectors());
    }

    private static long selectors() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().matches("HttpClient-\\d+-SelectorManager")).count();
    }
}
