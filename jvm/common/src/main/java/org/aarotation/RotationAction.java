package org.aarotation;

import java.util.Locale;

/** The action that a rotate or ensure-fresh call took. */
public enum RotationAction {
    /** A new secret was obtained, verified and stored. */
    ROTATED,
    /** The secret is not due. */
    NOT_DUE,
    /** The secret is due, but the rotation window or the jitter delay postpones the rotation. */
    DEFERRED,
    /** Another instance rotated while this one waited for the lease. */
    ROTATED_ELSEWHERE,
    /** A dry run: nothing was changed. */
    DRY_RUN;

    /** Returns the constant of a snake_case name that the native library reports, such as {@code rotated}. */
    static RotationAction fromName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
