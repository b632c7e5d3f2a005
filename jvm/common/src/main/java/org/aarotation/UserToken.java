package org.aarotation;

import java.time.Instant;

/**
 * A user token of the designated user, returned by {@link TokenServiceClient}. {@link
 * #toString()} never shows the value.
 */
public final class UserToken {
    /** The native token behind this object. */
    interface Source {
        String reveal();

        Instant issuedAt();

        Instant expiresAt();
    }

    private final Source source;

    UserToken(Source source) {
        this.source = source;
    }

    Source source() {
        return source;
    }

    /** Returns the bearer token itself. Never log the result. */
    public String reveal() {
        return source.reveal();
    }

    /** Returns when the token was received, on this process's clock. */
    public Instant issuedAt() {
        return source.issuedAt();
    }

    /** Returns when the token expires. */
    public Instant expiresAt() {
        return source.expiresAt();
    }

    /** Returns a description without the token's value. */
    @Override
    public String toString() {
        return "UserToken[redacted, expires " + expiresAt() + "]";
    }
}
