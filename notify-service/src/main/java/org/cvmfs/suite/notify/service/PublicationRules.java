package org.cvmfs.suite.notify.service;

import org.cvmfs.suite.protocol.repository.RepositoryName;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.cvmfs.suite.notify.service.PublicationRefusedException.Cause;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.ManifestException;
import org.cvmfs.suite.protocol.notify.ActivityMessage;
import org.cvmfs.suite.protocol.notify.NotifyMessageException;
import org.cvmfs.suite.protocol.notify.SseFraming;

/**
 * What makes a publish acceptable, whoever sends it (a publisher over HTTP, another node over
 * the broker, the cache on disk at start): a well-formed activity message for a usable
 * repository name, carrying a manifest of that repository, signed by it where its certificate
 * is known. Revision order is the cache's business, as it needs the current state.
 */
@Singleton
public final class PublicationRules {
    private final ManifestSignatureCheck signatures;

    @Inject
    public PublicationRules(ManifestSignatureCheck signatures) {
        this.signatures = signatures;
    }

    /** Parses the body with the C++ subscriber's rules (after removing line breaks). */
    public ActivityMessage parse(byte[] body) {
        ActivityMessage message;
        try {
            message = ActivityMessage.parse(SseFraming.stripLineBreaks(body));
        } catch (NotifyMessageException e) {
            throw new PublicationRefusedException(Cause.MALFORMED, e.getMessage());
        }
        if (!RepositoryName.isValid(message.repository())) {
            throw new PublicationRefusedException(Cause.MALFORMED, "activity message field 'repository' is \""
                    + message.repository() + "\", not a repository name");
        }
        return message;
    }

    /** Checks the manifest against the message and returns what is forwarded. */
    public AcceptedActivity validate(ActivityMessage message, byte[] body) {
        Manifest manifest;
        try {
            manifest = Manifest.parseBody(message.manifest());
        } catch (ManifestException e) {
            throw new PublicationRefusedException(Cause.MALFORMED, "activity message field 'manifest': " + e.getMessage());
        }
        if (!manifest.repositoryName().equals(message.repository())) {
            throw new PublicationRefusedException(Cause.MALFORMED, "the manifest is of repository '"
                    + manifest.repositoryName() + "', the message names '" + message.repository() + "'");
        }
        signatures.check(message.repository(), message.manifest());
        return AcceptedActivity.of(message.repository(), manifest.revision(), SseFraming.stripLineBreaks(body));
    }

    /** Both steps, for messages that need no authentication. */
    public AcceptedActivity check(byte[] body) {
        return validate(parse(body), body);
    }
}
