package org.aarotation;

import java.time.Instant;
import java.util.Optional;

/**
 * An entity token: the bearer token for calls to other members and to the Central Registry.
 *
 * <p>{@link #toString()} never shows the value, so a token can appear in a log line or a string
 * concatenation without leaking. {@link #reveal()} returns it for an {@code Authorization}
 * header; {@link #authorizationHeader()} builds the whole header value.
 */
public final class AccessToken {
    /** The native token behind this object. */
    interface Source {
        String reveal();

        Metadata metadata();
    }

    /** The token's times, secret fingerprint and warning: everything but its value. */
    record Metadata(Instant issuedAt, Instant expiresAt, String secretFingerprint, String warning) {}

    private final Source source;
    private volatile Metadata metadata;
    /**
     * The value, fetched on the first {@link #reveal()}: a native call per request would cost
     * microseconds through JNA, and the cached token object is shared by many requests.
     */
    private volatile String value;

    AccessToken(Source source) {
        this.source = source;
    }

    /** Returns the bearer token itself. Never log the result. */
    public String reveal() {
        String known = value;
        if (known == null) {
            known = source.reveal();
            value = known;
        }
        return known;
    }

    /** Returns {@code "Bearer "} and the token, the value of an {@code Authorization} header. */
    public String authorizationHeader() {
        return "Bearer " + reveal();
    }

    private Metadata metadata() {
        Metadata known = metadata;
        if (known == null) {
            known = source.metadata();
            metadata = known;
        }
        return known;
    }

    /** Returns when the token was received, on this process's clock. */
    public Instant issuedAt() {
        return metadata().issuedAt();
    }

    /** Returns when the token expires: {@link #issuedAt()} plus the service's {@code expiresIn}. */
    public Instant expiresAt() {
        return metadata().expiresAt();
    }

    /** Returns the fingerprint of the secret the token was issued for, safe to log. */
    public String secretFingerprint() {
        return metadata().secretFingerprint();
    }

    /** Returns the service's warning, such as the notice that the secret is in its grace period. */
    public Optional<String> warning() {
        return Optional.ofNullable(metadata().warning());
    }

    /** Returns a description without the token's value. */
    @Override
    public String toString() {
        return "AccessToken[redacted, expires " + expiresAt() + "]";
    }
}
