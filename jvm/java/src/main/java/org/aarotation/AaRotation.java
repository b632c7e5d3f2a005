package org.aarotation;

import java.time.Instant;
import org.aarotation.ffi.AaRotationJvm;

/** Library-wide functions: version, logging, and two core functions for shared test cases. */
public final class AaRotation {
    static {
        NativeRuntime.ensureLoaded();
    }

    private AaRotation() {}

    /** Returns the native library's version. */
    public static String version() {
        return AaRotationJvm.libraryVersion();
    }

    /** Calls a native function that does nothing: the benchmark's cost of one call. */
    public static void noop() {
        AaRotationJvm.noop();
    }

    /**
     * Sends the native library's log lines at {@code maxLevel} ({@code ERROR} … {@code TRACE})
     * and above to {@code listener} instead of SLF4J. A null listener stops forwarding.
     */
    public static void setLogListener(LogListener listener, String maxLevel) {
        NativeRuntime.setLogListener(listener, maxLevel);
    }

    /**
     * Parses a Token Service secret read or reset response body the way the client does.
     *
     * @throws MalformedResponseException when the expiry cannot be read
     */
    public static ParsedExpiry parseSecretBody(String body) {
        org.aarotation.ffi.ParsedExpiry parsed = NativeRuntime.call(() -> AaRotationJvm.parseSecretBody(body));
        return new ParsedExpiry(parsed.expiresAt(), parsed.source(), parsed.messageKind());
    }

    /**
     * Decides, at {@code now}, about a secret that expires at {@code expiresAt} (null: unknown),
     * with the default policy except for the two durations given.
     */
    public static PolicyDecision decideRotation(Instant expiresAt, Instant now, int rotateBeforeDays,
            int gracePeriodDays) {
        org.aarotation.ffi.PolicyDecision d = NativeRuntime.call(
                () -> AaRotationJvm.decideRotation(expiresAt, now, rotateBeforeDays, gracePeriodDays));
        return new PolicyDecision(SecretState.fromName(d.state()), d.due(), d.emergency(), d.secondsLeft(),
                d.daysLeft(), d.checkCode(), d.reason());
    }
}
