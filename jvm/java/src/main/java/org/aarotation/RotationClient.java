package org.aarotation;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Rotation, status and entity tokens for one entity: the object an application keeps for its
 * whole life, one per entity id.
 *
 * <p>Every operation comes as a blocking method that throws an {@link AaRotationException}
 * subclass, and as an {@code …Async} method whose {@link CompletableFuture} fails with one.
 * Entity tokens are cached: {@link #accessToken()} returns the token from memory while it is
 * fresh, refreshes it at 80% of its life, and sends one request to the Token Service however
 * many callers wait.
 *
 * <p>Close it to stop the background schedule and free the native object; an unclosed client
 * is freed by the garbage collector.
 */
public final class RotationClient implements AutoCloseable {
    static {
        NativeRuntime.ensureLoaded();
    }

    private final org.aarotation.ffi.RotationClient nativeClient;
    private final TokenMirror mirror = new TokenMirror();

    private RotationClient(org.aarotation.ffi.RotationClient nativeClient) {
        this.nativeClient = nativeClient;
        nativeClient.watchTokens(new NativeRuntime.MirrorListener(mirror));
    }

    /**
     * Builds a client from {@code settings}. Makes no network call and touches no file.
     *
     * @throws ConfigException when a setting is missing or invalid
     */
    public static RotationClient create(RotationSettings settings) {
        SecretStore store = settings.secretStoreOrNull();
        NativeRuntime.StoreAdapter adapter = store == null ? null : new NativeRuntime.StoreAdapter(store);
        return new RotationClient(
                NativeRuntime.call(() -> new org.aarotation.ffi.RotationClient(settings.values(), adapter)));
    }

    /**
     * Builds a client from the process's {@code AA_ROTATION_*} environment variables, the same
     * ones the command line reads.
     *
     * @throws ConfigException when a variable is missing or invalid
     */
    public static RotationClient fromEnv() {
        return new RotationClient(NativeRuntime.call(() -> org.aarotation.ffi.RotationClient.fromEnv(null)));
    }

    /** Like {@link #fromEnv()}, keeping the record in the application's {@code store}. */
    public static RotationClient fromEnv(SecretStore store) {
        NativeRuntime.StoreAdapter adapter = new NativeRuntime.StoreAdapter(store);
        return new RotationClient(NativeRuntime.call(() -> org.aarotation.ffi.RotationClient.fromEnv(adapter)));
    }

    /** Returns the entity this client manages. */
    public String entityId() {
        return nativeClient.entityId();
    }

    /**
     * Returns a valid entity token, from the cache while it is fresh.
     *
     * @throws AaRotationException when no token can be obtained
     */
    public AccessToken accessToken() {
        AccessToken cached = cachedOrNull();
        return cached != null ? cached : NativeRuntime.join(accessTokenAsync());
    }

    /** Returns a valid entity token, completing at once when the cached one is fresh. */
    public CompletableFuture<AccessToken> accessTokenAsync() {
        AccessToken cached = cachedOrNull();
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        return NativeRuntime.adapt(nativeClient.accessToken(), NativeRuntime::token);
    }

    /** Returns the cached entity token if it is fresh, without waiting or any I/O. */
    public Optional<AccessToken> cachedAccessToken() {
        return Optional.ofNullable(cachedOrNull());
    }

    /** Returns the copy kept by {@link TokenMirror} when fresh, else the token the native cache contains. */
    private AccessToken cachedOrNull() {
        AccessToken copy = mirror.fresh();
        if (copy != null) {
            return copy;
        }
        org.aarotation.ffi.EntityToken cached = nativeClient.cachedAccessToken();
        return cached == null ? null : NativeRuntime.token(cached);
    }

    /** Drops the cached entity token, so that the next call requests a new one. */
    public void invalidate() {
        mirror.clear();
        nativeClient.invalidate(null);
    }

    /**
     * Drops the cached entity token if it is {@code token}, as after a peer rejected it with HTTP 401.
     * A token refreshed in the meantime is kept.
     */
    public void invalidate(AccessToken token) {
        nativeClient.invalidate(token.reveal());
    }

    /** Drops the cached entity token if its value is {@code tokenValue}. */
    public void invalidate(String tokenValue) {
        nativeClient.invalidate(tokenValue);
    }

    /**
     * Returns the stored secret's status. Reads the current secret from the Token Service when
     * the store is empty and credentials are configured.
     */
    public SecretStatus status() {
        return NativeRuntime.join(statusAsync());
    }

    /** Asynchronous {@link #status()}. */
    public CompletableFuture<SecretStatus> statusAsync() {
        return NativeRuntime.adapt(nativeClient.status(), RotationClient::toPublic);
    }

    /** Rotates now if the policy considers the secret due. */
    public RotationOutcome rotate() {
        return rotate(false, false);
    }

    /**
     * Rotates now if the policy considers the secret due, or in any case with {@code force}. With
     * {@code dryRun}, decides and reports without any Reset.
     */
    public RotationOutcome rotate(boolean force, boolean dryRun) {
        return NativeRuntime.join(rotateAsync(force, dryRun));
    }

    /** Asynchronous {@link #rotate(boolean, boolean)}. */
    public CompletableFuture<RotationOutcome> rotateAsync(boolean force, boolean dryRun) {
        return NativeRuntime.adapt(nativeClient.rotate(force, dryRun), RotationClient::toPublic);
    }

    /** Recovers first, then rotates if the policy, the rotation window and the jitter allow it. */
    public RotationOutcome ensureFresh() {
        return NativeRuntime.join(ensureFreshAsync());
    }

    /** Asynchronous {@link #ensureFresh()}. */
    public CompletableFuture<RotationOutcome> ensureFreshAsync() {
        return NativeRuntime.adapt(nativeClient.ensureFresh(), RotationClient::toPublic);
    }

    /**
     * Finishes or rolls back an interrupted rotation, or stores the service's current secret
     * after drift.
     */
    public RecoveryOutcome recover() {
        return NativeRuntime.join(recoverAsync());
    }

    /** Asynchronous {@link #recover()}. */
    public CompletableFuture<RecoveryOutcome> recoverAsync() {
        return NativeRuntime.adapt(nativeClient.recover(), outcome -> new RecoveryOutcome(
                outcome.entityId(), RecoveryAction.fromName(outcome.action()), outcome.fingerprint(),
                outcome.message()));
    }

    /** Calls {@code listener} for every later event; returns an id for {@link #unsubscribe}. */
    public long subscribe(RotationEventListener listener) {
        return nativeClient.subscribe(new NativeRuntime.ListenerAdapter(listener));
    }

    /** Stops delivering events to the listener {@code id}. */
    public void unsubscribe(long id) {
        nativeClient.unsubscribe(id);
    }

    /**
     * Starts the background schedule: recover once, then check the secret every check interval
     * and rotate when due. Errors are logged and published as events; the schedule keeps running.
     */
    public void start() {
        NativeRuntime.join(NativeRuntime.adapt(nativeClient.start(), ignored -> null));
    }

    /** Stops the background schedule. */
    public void stop() {
        nativeClient.stop();
    }

    /** Returns the Token Service client this rotation client uses. */
    public TokenServiceClient tokenService() {
        return TokenServiceClient.wrap(nativeClient.tokenService());
    }

    /** Stops the background schedule and frees the native object. */
    @Override
    public void close() {
        mirror.clear();
        nativeClient.stop();
        nativeClient.close();
    }

    /** Returns a description with the entity id. */
    @Override
    public String toString() {
        return "RotationClient[" + nativeClient.entityId() + "]";
    }

    private static RotationOutcome toPublic(org.aarotation.ffi.RotationOutcome outcome) {
        return new RotationOutcome(outcome.entityId(), RotationAction.fromName(outcome.action()),
                outcome.oldFingerprint(), outcome.fingerprint(), outcome.expiresAt(), outcome.daysLeft(),
                outcome.due(), outcome.resets(), outcome.reason());
    }

    private static SecretStatus toPublic(org.aarotation.ffi.SecretStatus status) {
        org.aarotation.ffi.LastRotation last = status.lastRotation();
        org.aarotation.ffi.LeaseHolder lease = status.leaseHolder();
        return new SecretStatus(status.entityId(), status.store(), status.fingerprint(), status.obtainedAt(),
                status.expiresAt(), status.expirySource(), status.secondsLeft(), status.daysLeft(),
                SecretState.fromName(status.state()), status.due(), status.emergency(), status.dueAt(),
                status.inWindow(), status.reason(), status.journal(), status.pending(),
                last == null ? null : new SecretStatus.LastRotation(last.at(), last.result(), last.error(),
                        last.fingerprint()),
                lease == null ? null : new SecretStatus.LeaseHolder(lease.holder(), lease.fence(),
                        lease.acquiredAt(), lease.expiresAt()));
    }
}
