package org.cvmfs.suite.protocol.manifest;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;

/**
 * The body of {@code .cvmfswhitelist}: which repository certificates the master key vouches for,
 * and until when. The signature block is handled by {@link SignedWhitelist}.
 *
 * @param created        first line, UTC, second precision
 * @param expires        {@code E} line, UTC; see {@link #isExpired(Clock)} for its hour granularity
 * @param repositoryName {@code N} line
 * @param fingerprints   the listed certificates, in file order
 */
public record Whitelist(Instant created, Instant expires, String repositoryName,
                        List<CertificateFingerprint> fingerprints) {
    /** What upstream gives a whitelist signed with a master key file. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(30);
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuuMMddHHmmss")
            .withResolverStyle(ResolverStyle.STRICT);

    public Whitelist {
        Objects.requireNonNull(created, "creation time");
        Objects.requireNonNull(expires, "expiry time");
        Objects.requireNonNull(repositoryName, "repository name (N)");
        fingerprints = List.copyOf(fingerprints);
    }

    /** A whitelist for one certificate (SHA-1 fingerprint, the portable form), valid from now for {@code validity}. */
    public static Whitelist create(String fqrn, RepositoryCertificate certificate, Clock clock, Duration validity) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        return new Whitelist(now, now.plus(validity), fqrn,
                List.of(certificate.fingerprint(HashAlgorithm.SHA1)));
    }

    public static Whitelist create(String fqrn, RepositoryCertificate certificate, Clock clock) {
        return create(fqrn, certificate, clock, DEFAULT_VALIDITY);
    }

    /**
     * Parses the lines before {@code --}. Blank and comment-only fingerprint lines are skipped as
     * upstream does; the {@code Vpkcs7} and {@code Wcachain} variants are refused because we cannot
     * verify them and python-cvmfsutils rejects them too.
     */
    public static Whitelist parseBody(byte[] body) {
        String[] lines = new String(body, StandardCharsets.ISO_8859_1).split("\n", -1);
        if (lines.length < 4) {
            throw new ManifestException("whitelist has " + (lines.length - 1) + " lines before '--', expected at least 3");
        }
        Instant created = timestamp(lines[0], "creation time");
        if (!lines[1].startsWith("E")) {
            throw new ManifestException("whitelist second line is not an expiry (E) line: '" + SignedText.abbreviate(lines[1]) + "'");
        }
        Instant expires = timestamp(lines[1].substring(1), "expiry time");
        if (!lines[2].startsWith("N") || lines[2].length() == 1) {
            throw new ManifestException("whitelist third line is not a repository name (N) line: '"
                    + SignedText.abbreviate(lines[2]) + "'");
        }
        List<CertificateFingerprint> fingerprints = new ArrayList<>();
        for (int i = 3; i < lines.length; i++) {
            String line = lines[i];
            if (line.equals("Vpkcs7") || line.equals("Wcachain")) {
                throw new ManifestException("whitelist demands '" + line + "' verification, which is not supported");
            }
            if (!CertificateFingerprint.significantPart(line).isEmpty()) {
                fingerprints.add(CertificateFingerprint.parse(line));
            }
        }
        return new Whitelist(created, expires, lines[2].substring(1), fingerprints);
    }

    /** The body: creation, {@code E}, {@code N} and one fingerprint per line, each LF-terminated. */
    public byte[] exportBody() {
        StringBuilder b = new StringBuilder(256);
        b.append(format(created)).append('\n');
        b.append('E').append(format(expires)).append('\n');
        b.append('N').append(repositoryName).append('\n');
        for (CertificateFingerprint f : fingerprints) {
            b.append(f.toText()).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Upstream compares only year, month, day and hour: the whitelist is expired from the start of
     * the expiry hour on, even if the {@code E} line names a later minute.
     */
    public boolean isExpired(Clock clock) {
        return !clock.instant().isBefore(expires.truncatedTo(ChronoUnit.HOURS));
    }

    public void requireNotExpired(Clock clock) {
        if (isExpired(clock)) {
            throw new ManifestException("whitelist of " + repositoryName + " expired at " + expires
                    + " (counted from the start of that hour; now " + clock.instant().truncatedTo(ChronoUnit.SECONDS) + ")");
        }
    }

    public void requireRepositoryName(String fqrn) {
        if (!repositoryName.equals(fqrn)) {
            throw new ManifestException("whitelist is for repository '" + repositoryName + "', expected '" + fqrn + "'");
        }
    }

    public boolean lists(RepositoryCertificate certificate) {
        return fingerprints.stream().anyMatch(f -> f.matches(certificate.x509()));
    }

    public void requireListed(RepositoryCertificate certificate) {
        if (!lists(certificate)) {
            throw new ManifestException("certificate " + certificate + " is not listed in the whitelist of "
                    + repositoryName + " (listed: " + fingerprints + ")");
        }
    }

    private static Instant timestamp(String text, String field) {
        if (text.length() != 14) {
            throw new ManifestException("whitelist " + field + " is not YYYYMMDDhhmmss: '" + SignedText.abbreviate(text) + "'");
        }
        try {
            return LocalDateTime.parse(text, TIMESTAMP).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new ManifestException("whitelist " + field + " is not YYYYMMDDhhmmss: '" + text + "'");
        }
    }

    private static String format(Instant t) {
        return TIMESTAMP.format(LocalDateTime.ofInstant(t, ZoneOffset.UTC));
    }
}
