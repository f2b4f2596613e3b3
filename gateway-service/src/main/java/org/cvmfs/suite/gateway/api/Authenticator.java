package org.cvmfs.suite.gateway.api;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.protocol.config.GatewayRepoConfig;
import org.cvmfs.suite.protocol.gateway.GatewayAuth;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.jboss.logging.Logger;

/**
 * Checks {@code Authorization} headers against the configured keys. Regular requests get one
 * answer for every failure ({@code invalid_hmac}); admin requests learn which check failed, as
 * upstream.
 */
@Singleton
final class Authenticator {
    private static final Logger LOG = Logger.getLogger(Authenticator.class);

    private final GatewaySettings settings;

    @Inject
    Authenticator(GatewaySettings settings) {
        this.settings = settings;
    }

    /** The key id that signed {@code input}; otherwise the request ends with {@code invalid_hmac}. */
    String requireKey(String header, byte[] input) {
        Optional<GatewayAuth.Credentials> credentials = GatewayAuth.parse(header);
        Optional<GatewayRepoConfig.KeyEntry> key = credentials.map(c -> settings.access().keys().get(c.keyId()));
        if (key.isEmpty() || !GatewayAuth.verify(credentials.get(), key.get().key(), input)) {
            LOG.infof("request refused: key_id=%s reason=invalid_hmac", credentials.map(c -> c.keyId()).orElse("-"));
            throw new ReplyException(GatewayReply.error("invalid_hmac"));
        }
        return credentials.get().keyId();
    }

    String requireKey(String header, String input) {
        return requireKey(header, input.getBytes(StandardCharsets.UTF_8));
    }

    /** Like {@link #requireKey} for admin keys, with upstream's distinct refusals. */
    String requireAdmin(String header, byte[] input) {
        Optional<GatewayAuth.Credentials> credentials = GatewayAuth.parse(header);
        if (credentials.isEmpty()) {
            throw refuse("-", "invalid_authorization_header");
        }
        String keyId = credentials.get().keyId();
        GatewayRepoConfig.KeyEntry key = settings.access().keys().get(keyId);
        if (key == null) {
            throw refuse(keyId, "invalid_key");
        }
        if (!key.admin()) {
            throw refuse(keyId, "no_admin_key");
        }
        if (!GatewayAuth.verify(credentials.get(), key.key(), input)) {
            throw refuse(keyId, "invalid_hmac");
        }
        return keyId;
    }

    private static ReplyException refuse(String keyId, String reason) {
        LOG.infof("admin request refused: key_id=%s reason=%s", keyId, reason);
        return new ReplyException(GatewayReply.error(reason));
    }
}
