package org.aarotation;

import java.util.Locale;

/** The state of a secret at one instant. */
public enum SecretState {
    /** More than the rotate-before period remains before expiry. */
    HEALTHY,
    /** Less than the rotate-before period remains, or the secret is older than the maximum age. */
    DUE,
    /** Expired, within the grace period: entity tokens still work, with a warning. */
    GRACE_PERIOD,
    /** Expired past the grace period: entity tokens fail. */
    EXPIRED,
    /** No expiry is known, as for a secret from before the 180-day policy. */
    UNKNOWN;

    /** Returns the constant of a snake_case name that the native library reports, such as {@code healthy}. */
    static SecretState fromName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
