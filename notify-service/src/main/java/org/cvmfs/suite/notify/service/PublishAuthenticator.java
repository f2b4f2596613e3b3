package org.cvmfs.suite.notify.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.cvmfs.suite.notify.config.NotifySettings.PublishAuth;
import org.cvmfs.suite.notify.service.PublicationRefusedException.Cause;
import org.cvmfs.suite.protocol.notify.PublishAuthorization;

/**
 * The optional HMAC check of publishes: with {@code publish_auth: "hmac"} a publish for
 * repository R must be signed with the key of {@code <keys_dir>/R.gw} (the gateway key file,
 * {@code plain_text <id> <secret>}). The file is read at each publish, so a rotated key takes
 * effect at once.
 */
public final class PublishAuthenticator {
    private final PublishAuth mode;
    private final Path keysDir;

    public PublishAuthenticator(PublishAuth mode, Path keysDir) {
        this.mode = mode;
        this.keysDir = keysDir;
    }

    /** @param body the request body exactly as received (the MAC covers those bytes) */
    public void check(String repository, String authorization, byte[] body) {
        if (mode == PublishAuth.NONE) {
            return;
        }
        Path keyFile = keysDir.resolve(repository + ".gw");
        PublishAuthorization.Result r = PublishAuthorization.verify(authorization, body, id -> secret(keyFile, id));
        if (!r.authenticated()) {
            throw new PublicationRefusedException(Cause.UNAUTHENTICATED, "publish for " + repository
                    + " is not authenticated: " + r.reason());
        }
    }

    private static Optional<String> secret(Path keyFile, String keyId) {
        String text;
        try {
            text = Files.readString(keyFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new PublicationRefusedException(Cause.UNAUTHENTICATED, "cannot read key file " + keyFile);
        }
        String first = text.lines().findFirst().orElse("").strip();
        String[] tokens = first.split("\\s+");
        if (tokens.length != 3 || !tokens[0].equals("plain_text")) {
            throw new PublicationRefusedException(Cause.UNAUTHENTICATED, "key file " + keyFile
                    + " is not 'plain_text <id> <secret>'");
        }
        return tokens[1].equals(keyId) ? Optional.of(tokens[2]) : Optional.empty();
    }
}
