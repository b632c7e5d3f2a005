package org.aarotation;

import java.time.Instant;

/**
 * The state of an entity's stored secret. Holds fingerprints, never secret values. Components
 * documented as nullable are null when unknown.
 *
 * @param entityId the entity
 * @param store where the record is stored, such as {@code file:///var/lib/aa/secret.json}
 * @param fingerprint fingerprint of the secret in use; nullable
 * @param obtainedAt when this library obtained the secret; nullable
 * @param expiresAt when the secret expires; nullable
 * @param expirySource which response field the expiry came from, such as {@code epoch_millis}
 *     or {@code configured}; nullable
 * @param secondsLeft seconds until expiry, negative once expired; nullable
 * @param daysLeft days until expiry as a fraction; nullable
 * @param state the policy's state of the secret
 * @param due whether a rotation should happen now, window and jitter aside
 * @param emergency whether the secret is expired or in its grace period
 * @param dueAt when a scheduled rotation becomes due; nullable
 * @param inWindow whether now is inside the rotation window; null when no window is set
 * @param reason one sentence explaining the state
 * @param journal {@code idle}, {@code resetting} or {@code verifying}
 * @param pending whether a new secret is stored and not yet promoted
 * @param lastRotation the last rotation attempt; nullable
 * @param leaseHolder the instance holding the rotation lease; nullable
 */
public record SecretStatus(
        String entityId,
        String store,
        String fingerprint,
        Instant obtainedAt,
        Instant expiresAt,
        String expirySource,
        Long secondsLeft,
        Double daysLeft,
        SecretState state,
        boolean due,
        boolean emergency,
        Instant dueAt,
        Boolean inWindow,
        String reason,
        String journal,
        boolean pending,
        LastRotation lastRotation,
        LeaseHolder leaseHolder) {

    /**
     * The last rotation attempt.
     *
     * @param at when it ended
     * @param result {@code rotated}, {@code recovered}, {@code drift_healed} or {@code failed}
     * @param error the error message of a failed attempt; nullable
     * @param fingerprint the secret in use afterwards; nullable
     */
    public record LastRotation(Instant at, String result, String error, String fingerprint) {}

    /**
     * The instance that holds the rotation lease.
     *
     * @param holder {@code host:pid:random}
     * @param fence the lease's fencing number
     * @param acquiredAt when the lease was taken
     * @param expiresAt when the lease lapses unless renewed
     */
    public record LeaseHolder(String holder, long fence, Instant acquiredAt, Instant expiresAt) {}
}
