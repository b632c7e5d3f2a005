package org.aarotation

import java.util.Optional
import java.util.concurrent.CompletableFuture
import org.aarotation.ffi.RotationClient as FfiRotationClient
import org.aarotation.ffi.SecretStatus as FfiSecretStatus

/**
 * Rotation, status and entity tokens for one entity: the object an application keeps for its
 * whole life, one per entity id.
 *
 * Every operation comes as a blocking method that throws an [AaRotationException] subclass, and
 * as an `…Async` method whose [CompletableFuture] fails with one. Entity tokens are cached:
 * [accessToken] returns the token from memory while it is fresh, refreshes it at 80% of its life,
 * and sends one request to the Token Service however many callers wait.
 *
 * Close it to stop the background schedule and free the native object; an unclosed client is
 * freed by the garbage collector.
 */
class RotationClient private constructor(private val native: FfiRotationClient) : AutoCloseable {
    private val mirror = TokenMirror()

    init {
        native.watchTokens(MirrorListener(mirror))
    }

    companion object {
        init {
            NativeRuntime.ensureLoaded()
        }

        /**
         * Builds a client from `settings`. Makes no network call and touches no file.
         *
         * @throws ConfigException when a setting is missing or invalid
         */
        @JvmStatic
        fun create(settings: RotationSettings): RotationClient {
            val store = settings.secretStoreOrNull()?.let { StoreAdapter(it) }
            return RotationClient(NativeRuntime.call { FfiRotationClient(settings.values(), store) })
        }

        /**
         * Builds a client from the process's `AA_ROTATION_*` environment variables, the same
         * ones the command line reads.
         *
         * @throws ConfigException when a variable is missing or invalid
         */
        @JvmStatic
        fun fromEnv(): RotationClient = RotationClient(NativeRuntime.call { FfiRotationClient.fromEnv(null) })

        /** Like [fromEnv], keeping the record in the application's `store`. */
        @JvmStatic
        fun fromEnv(store: SecretStore): RotationClient =
            RotationClient(NativeRuntime.call { FfiRotationClient.fromEnv(StoreAdapter(store)) })
    }

    /** Returns the entity this client manages. */
    fun entityId(): String = native.entityId()

    /**
     * Returns a valid entity token, from the cache while it is fresh.
     *
     * @throws AaRotationException when no token can be obtained
     */
    fun accessToken(): AccessToken = cachedOrNull() ?: NativeRuntime.join(accessTokenAsync())

    /** Returns a valid entity token, completing at once when the cached one is fresh. */
    fun accessTokenAsync(): CompletableFuture<AccessToken> {
        val cached = cachedOrNull()
        if (cached != null) {
            return CompletableFuture.completedFuture(cached)
        }
        return NativeRuntime.future { NativeRuntime.token(native.accessToken()) }
    }

    /** Returns the cached entity token if it is fresh, without waiting or any I/O. */
    fun cachedAccessToken(): Optional<AccessToken> = Optional.ofNullable(cachedOrNull())

    /** Returns the copy kept by [TokenMirror] when fresh, else the token the native cache contains. */
    private fun cachedOrNull(): AccessToken? =
        mirror.fresh() ?: native.cachedAccessToken()?.let { NativeRuntime.token(it) }

    /** Drops the cached entity token, so that the next call requests a new one. */
    fun invalidate() {
        mirror.clear()
        native.invalidate(null)
    }

    /**
     * Drops the cached entity token if it is `token`, as after a peer rejected it with HTTP 401. A token
     * refreshed in the meantime is kept.
     */
    fun invalidate(token: AccessToken) = native.invalidate(token.reveal())

    /** Drops the cached entity token if its value is `tokenValue`. */
    fun invalidate(tokenValue: String) = native.invalidate(tokenValue)

    /**
     * Returns the stored secret's status. Reads the current secret from the Token Service when
     * the store is empty and credentials are configured.
     */
    fun status(): SecretStatus = NativeRuntime.join(statusAsync())

    /** Asynchronous [status]. */
    fun statusAsync(): CompletableFuture<SecretStatus> = NativeRuntime.future { toPublic(native.status()) }

    /** Rotates now if the policy considers the secret due. */
    fun rotate(): RotationOutcome = rotate(false, false)

    /**
     * Rotates now if the policy considers the secret due, or in any case with `force`. With
     * `dryRun`, decides and reports without any Reset.
     */
    fun rotate(force: Boolean, dryRun: Boolean): RotationOutcome = NativeRuntime.join(rotateAsync(force, dryRun))

    /** Asynchronous [rotate]. */
    fun rotateAsync(force: Boolean, dryRun: Boolean): CompletableFuture<RotationOutcome> =
        NativeRuntime.future { toPublic(native.rotate(force, dryRun)) }

    /** Recovers first, then rotates if the policy, the rotation window and the jitter allow it. */
    fun ensureFresh(): RotationOutcome = NativeRuntime.join(ensureFreshAsync())

    /** Asynchronous [ensureFresh]. */
    fun ensureFreshAsync(): CompletableFuture<RotationOutcome> =
        NativeRuntime.future { toPublic(native.ensureFresh()) }

    /** Finishes or rolls back an interrupted rotation, or stores the service's current secret after drift. */
    fun recover(): RecoveryOutcome = NativeRuntime.join(recoverAsync())

    /** Asynchronous [recover]. */
    fun recoverAsync(): CompletableFuture<RecoveryOutcome> = NativeRuntime.future {
        val outcome = native.recover()
        RecoveryOutcome(outcome.entityId, RecoveryAction.fromName(outcome.action), outcome.fingerprint, outcome.message)
    }

    /** Calls `listener` for every later event; returns an id for [unsubscribe]. */
    fun subscribe(listener: RotationEventListener): Long = native.subscribe(ListenerAdapter(listener)).toLong()

    /** Stops delivering events to the listener `id`. */
    fun unsubscribe(id: Long) = native.unsubscribe(id.toULong())

    /**
     * Starts the background schedule: recover once, then check the secret every check interval
     * and rotate when due. Errors are logged and published as events; the schedule keeps running.
     */
    fun start() = NativeRuntime.join(NativeRuntime.future { native.start() })

    /** Stops the background schedule. */
    fun stop() = native.stop()

    /** Returns the Token Service client this rotation client uses. */
    fun tokenService(): TokenServiceClient = TokenServiceClient.wrap(native.tokenService())

    /** Stops the background schedule and frees the native object. */
    override fun close() {
        mirror.clear()
        native.stop()
        native.close()
    }

    private fun toPublic(outcome: org.aarotation.ffi.RotationOutcome) = RotationOutcome(
        outcome.entityId, RotationAction.fromName(outcome.action), outcome.oldFingerprint, outcome.fingerprint,
        outcome.expiresAt, outcome.daysLeft, outcome.due, outcome.resets, outcome.reason,
    )

    private fun toPublic(status: FfiSecretStatus) = SecretStatus(
        status.entityId, status.store, status.fingerprint, status.obtainedAt, status.expiresAt,
        status.expirySource, status.secondsLeft, status.daysLeft, SecretState.fromName(status.state),
        status.due, status.emergency, status.dueAt, status.inWindow, status.reason, status.journal,
        status.pending,
        status.lastRotation?.let { SecretStatus.LastRotation(it.at, it.result, it.error, it.fingerprint) },
        status.leaseHolder?.let { SecretStatus.LeaseHolder(it.holder, it.fence, it.acquiredAt, it.expiresAt) },
    )

    /** Returns a description with the entity id. */
    override fun toString(): String = "RotationClient[" + native.entityId() + "]"
}
