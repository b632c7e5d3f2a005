package org.aarotation;

import java.time.Instant;

/**
 * The expiry that {@link AaRotation#parseSecretBody(String)} read from a secret read or reset
 * response body.
 *
 * @param expiresAt when the secret expires; null when the body carries no expiry
 * @param source {@code epoch_seconds}, {@code epoch_millis}, {@code expiration_date} or {@code
 *     unknown}
 * @param messageKind {@code grace_period}, {@code expiry_defaulted} or {@code other} when the
 *     body had a {@code message}; nullable
 */
public record ParsedExpiry(Instant expiresAt, String source, String messageKind) {}
