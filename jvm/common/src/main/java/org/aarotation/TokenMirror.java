package org.aarotation;

import java.time.Instant;

/**
 * A copy of the entity token that the native cache holds, kept current by the native library
 * after every change, so that a cached {@code accessToken()} returns without a native call. A
 * JNA call costs microseconds, a read of this copy tens of nanoseconds.
 *
 * <p>The copy is served only before its refresh instant, the same instant after which the
 * native cache refreshes the token; both compare it with the system clock.
 */
final class TokenMirror {
    private record Entry(AccessToken token, long refreshAtMillis) {}

    private volatile Entry entry;

    /** Returns the copied token while it is fresh, else null. */
    AccessToken fresh() {
        Entry current = entry;
        if (current != null && System.currentTimeMillis() < current.refreshAtMillis()) {
            return current.token();
        }
        return null;
    }

    /** Replaces the copy; a null token or instant empties it. */
    void set(AccessToken token, Instant refreshAt) {
        entry = token == null || refreshAt == null ? null : new Entry(token, refreshAt.toEpochMilli());
    }

    /** Empties the copy. */
    void clear() {
        entry = null;
    }
}
