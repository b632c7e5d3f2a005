package org.aarotation;

/**
 * The result of {@code recover}.
 *
 * @param entityId the entity
 * @param action what the call did
 * @param fingerprint the secret in use afterwards; nullable
 * @param message one sentence explaining the outcome
 */
public record RecoveryOutcome(String entityId, RecoveryAction action, String fingerprint, String message) {}
