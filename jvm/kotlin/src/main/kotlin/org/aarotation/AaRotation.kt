package org.aarotation

import java.time.Instant
import org.aarotation.ffi.decideRotation as ffiDecideRotation
import org.aarotation.ffi.libraryVersion as ffiLibraryVersion
import org.aarotation.ffi.noop as ffiNoop
import org.aarotation.ffi.parseSecretBody as ffiParseSecretBody

/** Library-wide functions: version, logging, and two core functions for shared test cases. */
object AaRotation {
    init {
        NativeRuntime.ensureLoaded()
    }

    /** Returns the native library's version. */
    @JvmStatic
    fun version(): String = ffiLibraryVersion()

    /** Calls a native function that does nothing: the benchmark's cost of one call. */
    @JvmStatic
    fun noop() = ffiNoop()

    /**
     * Sends the native library's log lines at `maxLevel` (`ERROR` … `TRACE`) and above to
     * `listener` instead of SLF4J. A null listener stops forwarding.
     */
    @JvmStatic
    fun setLogListener(listener: LogListener?, maxLevel: String) = NativeRuntime.setLogListener(listener, maxLevel)

    /**
     * Parses a Token Service secret read or reset response body the way the client does.
     *
     * @throws MalformedResponseException when the expiry cannot be read
     */
    @JvmStatic
    fun parseSecretBody(body: String): ParsedExpiry {
        val parsed = NativeRuntime.call { ffiParseSecretBody(body) }
        return ParsedExpiry(parsed.expiresAt, parsed.source, parsed.messageKind)
    }

    /**
     * Decides, at `now`, about a secret that expires at `expiresAt` (null: unknown), with the
     * default policy except for the two durations given.
     */
    @JvmStatic
    fun decideRotation(expiresAt: Instant?, now: Instant, rotateBeforeDays: Int, gracePeriodDays: Int): PolicyDecision {
        val d = NativeRuntime.call {
            ffiDecideRotation(expiresAt, now, rotateBeforeDays.toUInt(), gracePeriodDays.toUInt())
        }
        return PolicyDecision(
            SecretState.fromName(d.state), d.due, d.emergency, d.secondsLeft, d.daysLeft, d.checkCode, d.reason,
        )
    }
}
