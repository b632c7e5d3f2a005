package org.aarotation;

import java.time.Instant;

/**
 * A rotation event, as {@link RotationEventListener}s and the audit log receive it. Carries
 * fingerprints, never secret values.
 *
 * @param kind what happened
 * @param entityId the entity
 * @param at when it happened
 * @param oldFingerprint the secret before; nullable
 * @param newFingerprint the secret after; nullable
 * @param expiresAt the expiry of the secret after; nullable
 * @param message the decision's reason or the error's message
 */
public record RotationEvent(
        EventKind kind,
        String entityId,
        Instant at,
        String oldFingerprint,
        String newFingerprint,
        Instant expiresAt,
        String message) {}
