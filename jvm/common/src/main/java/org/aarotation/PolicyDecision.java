package org.aarotation;

/**
 * What the rotation policy decides about one secret, from {@link AaRotation#decideRotation}.
 *
 * @param state the state of the secret
 * @param due whether a rotation should happen now, window and jitter aside
 * @param emergency whether the secret is expired or in its grace period
 * @param secondsLeft seconds until expiry, negative once expired; null when unknown
 * @param daysLeft days until expiry as a fraction; null when unknown
 * @param checkCode the exit code of {@code aa-rotation check}: 0 fine, 1 due, 2 critical
 * @param reason one sentence explaining the decision
 */
public record PolicyDecision(
        SecretState state,
        boolean due,
        boolean emergency,
        Long secondsLeft,
        Double daysLeft,
        int checkCode,
        String reason) {}
