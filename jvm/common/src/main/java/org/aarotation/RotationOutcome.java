package org.aarotation;

import java.time.Instant;

/**
 * The result of {@code rotate} or {@code ensureFresh}.
 *
 * @param entityId the entity
 * @param action what the call did
 * @param oldFingerprint the secret before the call; nullable
 * @param fingerprint the secret after the call; nullable
 * @param expiresAt the expiry of the secret after the call; nullable
 * @param daysLeft days until that expiry; nullable
 * @param due whether the policy considers the secret due (for a dry run: whether a rotation
 *     would happen)
 * @param resets Resets sent by this call: 0, 1, or 2 after a lost reply
 * @param reason one sentence explaining the outcome
 */
public record RotationOutcome(
        String entityId,
        RotationAction action,
        String oldFingerprint,
        String fingerprint,
        Instant expiresAt,
        Double daysLeft,
        boolean due,
        int resets,
        String reason) {}
