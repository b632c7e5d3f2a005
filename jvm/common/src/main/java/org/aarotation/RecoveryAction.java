package org.aarotation;

import java.util.Locale;

/** The action that a recover call took. */
public enum RecoveryAction {
    /** Nothing was interrupted and the stored secret authenticates. */
    NOTHING,
    /** An interrupted rotation was finished with the service's new secret. */
    COMPLETED,
    /** An interrupted rotation had not reset the secret, so its journal was cleared. */
    ROLLED_BACK,
    /** The stored secret was rejected, so the service's current one was read and stored. */
    DRIFT_HEALED;

    /** Returns the constant of a snake_case name that the native library reports, such as {@code nothing}. */
    static RecoveryAction fromName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
