package org.cvmfs.suite.notify.service;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cvmfs.suite.notify.config.NotifySettings.PublishAuth;
import org.cvmfs.suite.notify.service.PublicationRefusedException.Cause;
import org.cvmfs.suite.protocol.gateway.GatewayAuth;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.manifest.KeyDirectory;

/**
 * The optional HMAC check of publishes: with {@code publish_auth: "hmac"} a publish for
 * repository R must carry the gateway {@code Authorization} header ({@link GatewayAuth}) over
 * the request body, signed with the key of {@code <keys_dir>/R.gw}. The file is read at each
 * publish, so a rotated key takes effect at once. Upstream publishers send no such header.
 */
public final class PublishAuthenticator {
    private static final int SHOWN_KEY_ID_CHARS = 80;

    private final PublishAuth mode;
    private final KeyDirectory keys;

    public PublishAuthenticator(PublishAuth mode, Path keysDir) {
        this.mode = mode;
        this.keys = new KeyDirectory(keysDir);
    }

    /**
     * @param repository    a validated repository name (it names the key file)
     * @param authorization the {@code Authorization} header or null
     * @param body          the request body exactly as received (the MAC covers those bytes)
     */
    public void check(String repository, String authorization, byte[] body) {
        if (mode == PublishAuth.NONE) {
            return;
        }
        if (authorization == null || authorization.isEmpty()) {
            throw refused(repository, "no Authorization header");
        }
        GatewayAuth.Credentials credentials = GatewayAuth.parse(authorization).orElseThrow(() -> refused(repository,
                "Authorization header is not '<key id> <base64 signature>'"));
        Path keyFile = keys.gatewayKeyFile(repository);
        // A repository without a key file has no key at all: the id is unknown, as for a wrong id.
        GatewayKey key = Files.exists(keyFile) ? readKey(repository, keyFile) : null;
        if (key == null || !key.id().equals(credentials.keyId())) {
            throw refused(repository, "unknown key id '" + shown(credentials.keyId()) + "'");
        }
        if (!GatewayAuth.verify(credentials, key, body)) {
            throw refused(repository, "HMAC of key '" + key.id() + "' does not match the body");
        }
    }

    private static GatewayKey readKey(String repository, Path keyFile) {
        try {
            return GatewayKey.readFile(keyFile);
        } catch (IllegalArgumentException e) {
            throw refused(repository, e.getMessage());
        }
    }

    private static PublicationRefusedException refused(String repository, String reason) {
        return new PublicationRefusedException(Cause.UNAUTHENTICATED, "publish for " + repository
                + " is not authenticated: " + reason);
    }

    /** A header is hostile input: a long key id is cut before it reaches the reply and the log. */
    private static String shown(String keyId) {
        return keyId.length() > SHOWN_KEY_ID_CHARS ? keyId.substring(0, SHOWN_KEY_ID_CHARS) + "..." : keyId;
    }
}
