package org.aarotation

import java.util.OptionalLong
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.future.future
import org.aarotation.ffi.ErrorDetail
import org.aarotation.ffi.LogSink
import org.aarotation.ffi.RotationException
import org.aarotation.ffi.SecretStoreCallback
import org.aarotation.ffi.clearLogSink
import org.aarotation.ffi.setLogSink
import org.aarotation.ffi.EntityToken as FfiEntityToken
import org.aarotation.ffi.EventListener as FfiEventListener
import org.aarotation.ffi.RotationEvent as FfiRotationEvent
import org.aarotation.ffi.TokenListener as FfiTokenListener

/**
 * Loads the native library, runs the facade's coroutines, and converts between the generated
 * bindings and the public types.
 */
internal object NativeRuntime {
    private val threadCount = AtomicInteger()

    /**
     * Resumes the generated suspend functions. The Rust work runs on the native library's own
     * runtime, so these threads only poll and convert. They are daemon threads, so that they
     * never keep a JVM from exiting.
     */
    private val executor = Executors.newFixedThreadPool(2) { task ->
        Thread(task, "aa-rotation-" + threadCount.incrementAndGet()).apply { isDaemon = true }
    }

    private val scope = CoroutineScope(SupervisorJob() + executor.asCoroutineDispatcher())

    @Volatile
    private var logListener: LogListener? = null

    init {
        NativeLibrary.prepare()
        val level = Slf4jBridge.maxLevel()
        if (level != "OFF") {
            logListener = LogListener { lvl, target, message -> Slf4jBridge.log(lvl, target, message) }
            setLogSink(ForwardingSink, level)
        }
    }

    /** Loads the library and installs the SLF4J sink, once. */
    fun ensureLoaded() {}

    fun setLogListener(listener: LogListener?, maxLevel: String) {
        logListener = listener
        if (listener == null) clearLogSink() else setLogSink(ForwardingSink, maxLevel)
    }

    private object ForwardingSink : LogSink {
        override fun log(level: String, target: String, message: String) {
            try {
                logListener?.log(level, target, message)
            } catch (e: RuntimeException) {
                // A failing log listener must not fail the library's work.
            }
        }
    }

    /** Runs `block` as a future that fails with the public exception types. */
    fun <T> future(block: suspend () -> T): CompletableFuture<T> =
        scope.future {
            try {
                block()
            } catch (e: RotationException) {
                throw toPublic(e)
            }
        }

    /** Runs a synchronous native call, converting its error. */
    inline fun <T> call(block: () -> T): T =
        try {
            block()
        } catch (e: RotationException) {
            throw toPublic(e)
        }

    /** Waits for `future` and throws its error itself rather than a wrapper. */
    fun <T> join(future: CompletableFuture<T>): T =
        try {
            future.join()
        } catch (e: Throwable) {
            throw AaRotationException.unwrap(e)
        }

    fun toPublic(error: RotationException): AaRotationException {
        val d = detailOf(error)
        return AaRotationException.of(
            d.code, d.message, d.status, d.errorCode, d.errorMsg, d.txnId, d.retryAfterSeconds,
            d.step, d.causeCode, d.causeMessage,
        )
    }

    private fun detailOf(error: RotationException): ErrorDetail = when (error) {
        is RotationException.InvalidUserCredentials -> error.detail
        is RotationException.UserTokenRejected -> error.detail
        is RotationException.EntityNotPermitted -> error.detail
        is RotationException.InvalidEntitySecret -> error.detail
        is RotationException.BadRequest -> error.detail
        is RotationException.RateLimited -> error.detail
        is RotationException.ServerException -> error.detail
        is RotationException.GatewayException -> error.detail
        is RotationException.Redirected -> error.detail
        is RotationException.Timeout -> error.detail
        is RotationException.Connection -> error.detail
        is RotationException.MalformedResponse -> error.detail
        is RotationException.Config -> error.detail
        is RotationException.Store -> error.detail
        is RotationException.StoreConflict -> error.detail
        is RotationException.LeaseHeld -> error.detail
        is RotationException.LeaseLost -> error.detail
        is RotationException.NotBootstrapped -> error.detail
        is RotationException.RotationFailed -> error.detail
        is RotationException.Host -> error.detail
    }

    /** Builds a `HOST` error for an exception that application code threw. */
    fun hostError(component: String, error: Throwable): RotationException =
        RotationException.Host(
            ErrorDetail(
                "HOST", "$component failed: ${error.javaClass.name}: ${error.message}",
                null, null, null, null, null, null, null, null,
            ),
        )

    fun token(native: FfiEntityToken): AccessToken = AccessToken(TokenSource(native))

    fun event(event: FfiRotationEvent): RotationEvent = RotationEvent(
        EventKind.fromName(event.kind), event.entityId, event.at, event.oldFingerprint,
        event.newFingerprint, event.expiresAt, event.message,
    )
}

/** The native entity token behind an [AccessToken]. */
internal class TokenSource(val native: FfiEntityToken) : AccessToken.Source {
    override fun reveal(): String = native.reveal()

    override fun metadata(): AccessToken.Metadata {
        val info = native.info()
        return AccessToken.Metadata(info.issuedAt, info.expiresAt, info.secretFingerprint, info.warning)
    }
}

/** Lets the native library call an application's [SecretStore]. */
internal class StoreAdapter(private val store: SecretStore) : SecretStoreCallback {
    override fun get(entityId: String): String? = guarded { store.get(entityId).orElse(null) }

    override fun put(entityId: String, version: Long, recordJson: String, expectedVersion: Long?): Boolean =
        guarded {
            val expected = if (expectedVersion == null) OptionalLong.empty() else OptionalLong.of(expectedVersion)
            store.put(entityId, version, recordJson, expected)
        }

    override fun describe(): String =
        try {
            store.describe()
        } catch (e: RuntimeException) {
            store.javaClass.name
        }

    private inline fun <T> guarded(block: () -> T): T =
        try {
            block()
        } catch (e: Exception) {
            throw NativeRuntime.hostError("the application's secret store ${store.javaClass.name}", e)
        }
}

/** Keeps a [TokenMirror] equal to the native token cache. */
internal class MirrorListener(private val mirror: TokenMirror) : FfiTokenListener {
    override fun onTokenChange(token: FfiEntityToken?, refreshAt: java.time.Instant?) {
        mirror.set(token?.let { NativeRuntime.token(it) }, refreshAt)
    }
}

/** Lets the native library call a [RotationEventListener]. */
internal class ListenerAdapter(private val listener: RotationEventListener) : FfiEventListener {
    override fun onEvent(event: FfiRotationEvent) {
        try {
            listener.onEvent(NativeRuntime.event(event))
        } catch (e: Exception) {
            throw NativeRuntime.hostError("the event listener ${listener.javaClass.name}", e)
        }
    }
}
