package org.cvmfs.suite.notify.service;

import java.util.regex.Pattern;

/**
 * The repository names the service stores and routes. A name becomes a file name in the cache
 * and an AMQP routing key, so only the characters of DNS-like names are allowed.
 */
public final class RepositoryNames {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,200}");

    private RepositoryNames() {
    }

    public static boolean valid(String name) {
        return NAME.matcher(name).matches() && !name.contains("..");
    }
}
