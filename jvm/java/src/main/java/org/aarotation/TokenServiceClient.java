package org.aarotation;

import java.util.concurrent.CompletableFuture;

/**
 * The Token Service's four calls, without caching, rotation or storage. Most applications need
 * {@link RotationClient} instead; this is for tools and tests that drive the service step by
 * step.
 */
public final class TokenServiceClient implements AutoCloseable {
    static {
        NativeRuntime.ensureLoaded();
    }

    private final org.aarotation.ffi.TokenServiceClient nativeClient;

    private TokenServiceClient(org.aarotation.ffi.TokenServiceClient nativeClient) {
        this.nativeClient = nativeClient;
    }

    static TokenServiceClient wrap(org.aarotation.ffi.TokenServiceClient nativeClient) {
        return new TokenServiceClient(nativeClient);
    }

    /**
     * Returns a client for an IAM base URL ending in {@code /iam}. Plain {@code http://} is
     * accepted for loopback hosts only.
     *
     * @throws ConfigException for an invalid URL
     */
    public static TokenServiceClient create(String baseUrl) {
        return new TokenServiceClient(NativeRuntime.call(() -> new org.aarotation.ffi.TokenServiceClient(baseUrl)));
    }

    /** Returns a client for Sahamati's {@code sandbox}, {@code uat} or {@code production} environment. */
    public static TokenServiceClient forEnvironment(String environment) {
        return new TokenServiceClient(
                NativeRuntime.call(() -> org.aarotation.ffi.TokenServiceClient.forEnvironment(environment)));
    }

    /** Returns the IAM base URL. */
    public String baseUrl() {
        return nativeClient.baseUrl();
    }

    /** Generates a user token for the designated user. */
    public UserToken generateUserToken(String username, String password) {
        return NativeRuntime.join(generateUserTokenAsync(username, password));
    }

    /** Asynchronous {@link #generateUserToken}. */
    public CompletableFuture<UserToken> generateUserTokenAsync(String username, String password) {
        return NativeRuntime.adapt(nativeClient.generateUserToken(username, password),
                token -> new UserToken(new UserTokenSource(token)));
    }

    /** Reads the entity's current secret. */
    public SecretInfo readSecret(UserToken userToken, String entityId) {
        return NativeRuntime.join(readSecretAsync(userToken, entityId));
    }

    /** Asynchronous {@link #readSecret}. */
    public CompletableFuture<SecretInfo> readSecretAsync(UserToken userToken, String entityId) {
        return NativeRuntime.adapt(nativeClient.readSecret(nativeOf(userToken), entityId),
                info -> new SecretInfo(new SecretSource(info)));
    }

    /**
     * Resets the entity's secret and returns the new one; the old one stops working at once.
     * Never retried: after a lost reply only {@link #readSecret} can tell whether the Reset
     * happened.
     *
     * @param secretExpiryDays the requested validity, capped by the service; null for its default
     */
    public SecretInfo resetSecret(UserToken userToken, String entityId, Integer secretExpiryDays) {
        return NativeRuntime.join(resetSecretAsync(userToken, entityId, secretExpiryDays));
    }

    /** Asynchronous {@link #resetSecret}. */
    public CompletableFuture<SecretInfo> resetSecretAsync(UserToken userToken, String entityId, Integer secretExpiryDays) {
        if (secretExpiryDays != null && secretExpiryDays < 1) {
            return CompletableFuture.failedFuture(AaRotationException.of("CONFIG",
                    "secretExpiryDays must be at least 1, got " + secretExpiryDays,
                    null, null, null, null, null, null, null, null));
        }
        return NativeRuntime.adapt(nativeClient.resetSecret(nativeOf(userToken), entityId, secretExpiryDays),
                info -> new SecretInfo(new SecretSource(info)));
    }

    /** Generates an entity token from the entity id and secret. */
    public AccessToken generateEntityToken(String entityId, String secret) {
        return NativeRuntime.join(generateEntityTokenAsync(entityId, secret));
    }

    /** Asynchronous {@link #generateEntityToken}. */
    public CompletableFuture<AccessToken> generateEntityTokenAsync(String entityId, String secret) {
        return NativeRuntime.adapt(nativeClient.generateEntityToken(entityId, secret), NativeRuntime::token);
    }

    /** Frees the native object. */
    @Override
    public void close() {
        nativeClient.close();
    }

    /** Returns a description with the base URL. */
    @Override
    public String toString() {
        return "TokenServiceClient[" + nativeClient.baseUrl() + "]";
    }

    private static org.aarotation.ffi.UserToken nativeOf(UserToken token) {
        if (token.source() instanceof UserTokenSource source) {
            return source.nativeToken();
        }
        throw new IllegalArgumentException("the user token was not issued by this library");
    }

    /** The native user token behind a {@link UserToken}. */
    private record UserTokenSource(org.aarotation.ffi.UserToken nativeToken) implements UserToken.Source {
        @Override
        public String reveal() {
            return nativeToken.reveal();
        }

        @Override
        public java.time.Instant issuedAt() {
            return nativeToken.issuedAt();
        }

        @Override
        public java.time.Instant expiresAt() {
            return nativeToken.expiresAt();
        }

        @Override
        public String toString() {
            return "UserTokenSource[redacted]";
        }
    }

    /** The native secret read or reset result behind a {@link SecretInfo}. */
    private record SecretSource(org.aarotation.ffi.SecretInfo nativeInfo) implements SecretInfo.Source {
        @Override
        public String reveal() {
            return nativeInfo.reveal();
        }

        @Override
        public SecretInfo.Metadata metadata() {
            org.aarotation.ffi.SecretMetadata m = nativeInfo.metadata();
            return new SecretInfo.Metadata(m.entityId(), m.fingerprint(), m.expiresAt(), m.expirySource(),
                    m.message(), m.txnId());
        }

        @Override
        public String toString() {
            return "SecretSource[redacted]";
        }
    }
}
