package org.aarotation;

/**
 * The Token Service returned HTTP 429; {@link #retryAfter()} carries its {@code Retry-After}
 * delay when it sent one.
 *
 * <p>Its {@link #code()} is {@code RATE_LIMITED}.
 */
public final class RateLimitedException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    RateLimitedException(AaRotationException.Detail detail) {
        super(detail);
    }
}
