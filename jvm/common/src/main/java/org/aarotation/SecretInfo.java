package org.aarotation;

import java.time.Instant;
import java.util.Optional;

/**
 * The result of a secret read or reset through {@link TokenServiceClient}: the entity's
 * secret and its expiry. {@link #toString()} never shows the secret.
 */
public final class SecretInfo {
    /** The native result behind this object. */
    interface Source {
        String reveal();

        Metadata metadata();
    }

    /** Everything but the secret value. */
    record Metadata(
            String entityId,
            String fingerprint,
            Instant expiresAt,
            String expirySource,
            String message,
            String txnId) {}

    private final Source source;
    private final Metadata metadata;

    SecretInfo(Source source) {
        this.source = source;
        this.metadata = source.metadata();
    }

    /** Returns the secret itself. Never log the result. */
    public String reveal() {
        return source.reveal();
    }

    /** Returns the entity id in the service's response. */
    public String entityId() {
        return metadata.entityId();
    }

    /** Returns the secret's fingerprint, such as {@code sha256:9f86d081884c7d65}, safe to log. */
    public String fingerprint() {
        return metadata.fingerprint();
    }

    /** Returns when the secret expires; empty for a secret from before the 180-day policy. */
    public Optional<Instant> expiresAt() {
        return Optional.ofNullable(metadata.expiresAt());
    }

    /** Returns which field the expiry came from: {@code epoch_seconds}, {@code epoch_millis},
     * {@code expiration_date} or {@code unknown}. */
    public String expirySource() {
        return metadata.expirySource();
    }

    /** Returns the service's {@code message}, if it sent one. */
    public Optional<String> message() {
        return Optional.ofNullable(metadata.message());
    }

    /** Returns the {@code txnId} of the response. */
    public Optional<String> txnId() {
        return Optional.ofNullable(metadata.txnId());
    }

    /** Returns a description without the secret's value. */
    @Override
    public String toString() {
        return "SecretInfo[" + metadata.entityId() + ", redacted, " + metadata.fingerprint() + "]";
    }
}
