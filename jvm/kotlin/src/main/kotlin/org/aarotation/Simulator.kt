package org.aarotation

import java.time.Duration
import java.time.Instant
import java.util.Optional
import org.aarotation.ffi.startSimulator
import org.aarotation.ffi.Simulator as FfiSimulator

/**
 * The Token Service simulator, running inside this JVM on 127.0.0.1 with a free port, for
 * tests and demos. It serves the four Token Service calls with real JWTs, a clock that tests
 * move, fault injection and call counters. Close it to stop it.
 *
 * JSON arguments are the simulator's own documents, the same that its `/_sim/` control
 * endpoints accept.
 */
class Simulator private constructor(private val native: FfiSimulator) : AutoCloseable {
    companion object {
        init {
            NativeRuntime.ensureLoaded()
        }

        /** Starts a simulator with the default configuration. */
        @JvmStatic
        fun start(): Simulator = start(null)

        /**
         * Starts a simulator configured by `configJson`, such as
         * `{"entityTokenValiditySeconds": 3600}`; null takes the defaults.
         */
        @JvmStatic
        fun start(configJson: String?): Simulator =
            Simulator(NativeRuntime.join(NativeRuntime.future { startSimulator(configJson) }))
    }

    /** Returns the IAM base URL, `http://127.0.0.1:PORT/iam`. */
    fun baseUrl(): String = native.baseUrl()

    /** Returns the root URL, under which the `/_sim/` control endpoints live. */
    fun rootUrl(): String = native.rootUrl()

    /** Adds the users and entities of a seed document. */
    fun seed(seedJson: String) = NativeRuntime.call { native.seed(seedJson) }

    /** Adds a designated user with rights over `entities`. */
    fun addUser(username: String, password: String, entities: List<String>) =
        NativeRuntime.call { native.addUser(username, password, entities) }

    /** Adds an entity with its current secret; a null `expiresAt` never expires. */
    fun addEntity(entityId: String, secret: String, expiresAt: Instant?) =
        NativeRuntime.call { native.addEntity(entityId, secret, expiresAt) }

    /** Moves the simulator's clock forward. */
    fun advanceClock(by: Duration) = NativeRuntime.call { native.advanceClock(by.toMillis() / 1000.0) }

    /**
     * Injects a fault, such as `{"kind":"html","status":502}`, into the next `count` requests to
     * `endpoint` (`user_token`, `secret_read`, `secret_reset`, `entity_token` or `oidc_token`),
     * or into all of them when `count` is null.
     */
    fun injectFault(endpoint: String, faultJson: String, count: Int?) =
        NativeRuntime.call { native.injectFault(endpoint, faultJson, count?.toUInt()) }

    /** Removes every injected fault. */
    fun clearFaults() = NativeRuntime.call { native.clearFaults() }

    /** Returns a snapshot of the call counters. */
    fun counters(): SimulatorCounters {
        val c = NativeRuntime.call { native.counters() }
        return SimulatorCounters(
            c.userToken, c.secretRead, c.secretReset, c.entityToken, c.oidcToken, c.resets, c.fingerprints,
        )
    }

    /** Returns the entity's current secret as the simulator stores it. For tests only. */
    fun currentSecret(entityId: String): Optional<String> =
        Optional.ofNullable(NativeRuntime.call { native.currentSecret(entityId) })

    /** Stops the simulator and waits until its connections are closed. */
    fun stop() {
        NativeRuntime.join(NativeRuntime.future { native.stop() })
    }

    /** Stops the simulator and frees the native object. */
    override fun close() {
        stop()
        native.close()
    }

    /** Returns a description with the base URL. */
    override fun toString(): String = "Simulator[" + native.baseUrl() + "]"
}
