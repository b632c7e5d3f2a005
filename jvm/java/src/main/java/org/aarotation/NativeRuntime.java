package org.aarotation;

import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.aarotation.ffi.AaRotationJvm;
import org.aarotation.ffi.ErrorDetail;
import org.aarotation.ffi.LogSink;
import org.aarotation.ffi.RotationException;
import org.aarotation.ffi.SecretStoreCallback;

/**
 * Loads the native library and converts between the generated bindings and the public types.
 */
final class NativeRuntime {
    private static volatile LogListener logListener;

    /** Forwards native log lines to the current {@link LogListener}. */
    private static final LogSink FORWARDING_SINK = (level, target, message) -> {
        LogListener listener = logListener;
        if (listener != null) {
            try {
                listener.log(level, target, message);
            } catch (RuntimeException e) {
                // A failing log listener must not fail the library's work.
            }
        }
    };

    static {
        NativeLibrary.prepare();
        String level = Slf4jBridge.maxLevel();
        if (!level.equals("OFF")) {
            logListener = Slf4jBridge::log;
            AaRotationJvm.setLogSink(FORWARDING_SINK, level);
        }
    }

    private NativeRuntime() {}

    /** Loads the library and installs the SLF4J sink, once. */
    static void ensureLoaded() {}

    static void setLogListener(LogListener listener, String maxLevel) {
        logListener = listener;
        if (listener == null) {
            AaRotationJvm.clearLogSink();
        } else {
            AaRotationJvm.setLogSink(FORWARDING_SINK, maxLevel);
        }
    }

    /** A synchronous native call that may raise the generated checked exception. */
    @FunctionalInterface
    interface NativeCall<T> {
        T call() throws RotationException;
    }

    /** Runs a synchronous native call, converting its error. */
    static <T> T call(NativeCall<T> block) {
        try {
            return block.call();
        } catch (RotationException e) {
            throw toPublic(e);
        }
    }

    /** Converts a generated future's value, and its error to the public exception types. */
    static <T, R> CompletableFuture<R> adapt(CompletableFuture<T> future, Function<T, R> convert) {
        CompletableFuture<R> result = new CompletableFuture<>();
        future.whenComplete((value, error) -> {
            if (error != null) {
                result.completeExceptionally(toPublic(error));
                return;
            }
            try {
                result.complete(convert.apply(value));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** Waits for {@code future} and throws its error itself rather than a wrapper. */
    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (Throwable e) {
            throw AaRotationException.unwrap(e);
        }
    }

    static Throwable toPublic(Throwable error) {
        Throwable cause = error;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof RotationException rotation ? toPublic(rotation) : cause;
    }

    static AaRotationException toPublic(RotationException error) {
        ErrorDetail d = detailOf(error);
        return AaRotationException.of(d.code(), d.message(), d.status(), d.errorCode(), d.errorMsg(), d.txnId(),
                d.retryAfterSeconds(), d.step(), d.causeCode(), d.causeMessage());
    }

    private static ErrorDetail detailOf(RotationException error) {
        return switch (error) {
            case RotationException.InvalidUserCredentials e -> e.detail();
            case RotationException.UserTokenRejected e -> e.detail();
            case RotationException.EntityNotPermitted e -> e.detail();
            case RotationException.InvalidEntitySecret e -> e.detail();
            case RotationException.BadRequest e -> e.detail();
            case RotationException.RateLimited e -> e.detail();
            case RotationException.ServerException e -> e.detail();
            case RotationException.GatewayException e -> e.detail();
            case RotationException.Redirected e -> e.detail();
            case RotationException.Timeout e -> e.detail();
            case RotationException.Connection e -> e.detail();
            case RotationException.MalformedResponse e -> e.detail();
            case RotationException.Config e -> e.detail();
            case RotationException.Store e -> e.detail();
            case RotationException.StoreConflict e -> e.detail();
            case RotationException.LeaseHeld e -> e.detail();
            case RotationException.LeaseLost e -> e.detail();
            case RotationException.NotBootstrapped e -> e.detail();
            case RotationException.RotationFailed e -> e.detail();
            case RotationException.Host e -> e.detail();
            default -> new ErrorDetail("HOST", error.getMessage(), null, null, null, null, null, null, null, null);
        };
    }

    /** Builds a {@code HOST} error for an exception that application code threw. */
    static RotationException hostError(String component, Throwable error) {
        return new RotationException.Host(new ErrorDetail("HOST",
                component + " failed: " + error.getClass().getName() + ": " + error.getMessage(),
                null, null, null, null, null, null, null, null));
    }

    static AccessToken token(org.aarotation.ffi.EntityToken nativeToken) {
        return new AccessToken(new TokenSource(nativeToken));
    }

    static RotationEvent event(org.aarotation.ffi.RotationEvent event) {
        return new RotationEvent(EventKind.fromName(event.kind()), event.entityId(), event.at(),
                event.oldFingerprint(), event.newFingerprint(), event.expiresAt(), event.message());
    }

    /** The native entity token behind an {@link AccessToken}. */
    record TokenSource(org.aarotation.ffi.EntityToken nativeToken) implements AccessToken.Source {
        @Override
        public String reveal() {
            return nativeToken.reveal();
        }

        @Override
        public AccessToken.Metadata metadata() {
            org.aarotation.ffi.TokenInfo info = nativeToken.info();
            return new AccessToken.Metadata(
                    info.issuedAt(), info.expiresAt(), info.secretFingerprint(), info.warning());
        }

        /** Returns a description without the token's value. */
        @Override
        public String toString() {
            return "TokenSource[redacted]";
        }
    }

    /** Lets the native library call an application's {@link SecretStore}. */
    record StoreAdapter(SecretStore store) implements SecretStoreCallback {
        @Override
        public String get(String entityId) throws RotationException {
            try {
                return store.get(entityId).orElse(null);
            } catch (Exception e) {
                throw hostError("the application's secret store " + store.getClass().getName(), e);
            }
        }

        @Override
        public boolean put(String entityId, long version, String recordJson, Long expectedVersion)
                throws RotationException {
            OptionalLong expected = expectedVersion == null ? OptionalLong.empty() : OptionalLong.of(expectedVersion);
            try {
                return store.put(entityId, version, recordJson, expected);
            } catch (Exception e) {
                throw hostError("the application's secret store " + store.getClass().getName(), e);
            }
        }

        @Override
        public String describe() {
            try {
                return store.describe();
            } catch (RuntimeException e) {
                return store.getClass().getName();
            }
        }
    }

    /** Keeps a {@link TokenMirror} equal to the native token cache. */
    record MirrorListener(TokenMirror mirror) implements org.aarotation.ffi.TokenListener {
        @Override
        public void onTokenChange(org.aarotation.ffi.EntityToken token, java.time.Instant refreshAt) {
            mirror.set(token == null ? null : NativeRuntime.token(token), refreshAt);
        }
    }

    /** Lets the native library call a {@link RotationEventListener}. */
    record ListenerAdapter(RotationEventListener listener) implements org.aarotation.ffi.EventListener {
        @Override
        public void onEvent(org.aarotation.ffi.RotationEvent event) throws RotationException {
            try {
                listener.onEvent(NativeRuntime.event(event));
            } catch (Exception e) {
                throw hostError("the event listener " + listener.getClass().getName(), e);
            }
        }
    }
}
