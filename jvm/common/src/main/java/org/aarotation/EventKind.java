package org.aarotation;

import java.util.Locale;

/** The kinds of rotation event. */
public enum EventKind {
    /** A new secret was obtained, verified and stored. */
    ROTATED,
    /** A rotation was considered and not needed. */
    NOT_DUE,
    /** A rotation or recovery failed. */
    ROTATION_FAILED,
    /** The secret is due and was not rotated, for example outside the rotation window. */
    EXPIRY_WARNING,
    /** The secret is expired and in its grace period. */
    GRACE_PERIOD_WARNING,
    /** The stored secret was rejected and the service's current secret was stored: someone rotated outside this library. */
    DRIFT_HEALED,
    /** An interrupted rotation was finished or rolled back. */
    RECOVERED;

    /** Returns the constant of a snake_case name that the native library reports, such as {@code rotated}. */
    static EventKind fromName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
