package org.aarotation

import java.util.concurrent.CompletableFuture
import org.aarotation.ffi.SecretInfo as FfiSecretInfo
import org.aarotation.ffi.TokenServiceClient as FfiTokenServiceClient
import org.aarotation.ffi.UserToken as FfiUserToken

/**
 * The Token Service's four calls, without caching, rotation or storage. Most applications need
 * [RotationClient] instead; this is for tools and tests that drive the service step by step.
 */
class TokenServiceClient private constructor(private val native: FfiTokenServiceClient) : AutoCloseable {
    companion object {
        init {
            NativeRuntime.ensureLoaded()
        }

        /**
         * Builds a client for an IAM base URL ending in `/iam`. Plain `http://` is accepted for
         * loopback hosts only.
         *
         * @throws ConfigException for an invalid URL
         */
        @JvmStatic
        fun create(baseUrl: String): TokenServiceClient =
            TokenServiceClient(NativeRuntime.call { FfiTokenServiceClient(baseUrl) })

        /** Builds a client for Sahamati's `sandbox`, `uat` or `production` environment. */
        @JvmStatic
        fun forEnvironment(environment: String): TokenServiceClient =
            TokenServiceClient(NativeRuntime.call { FfiTokenServiceClient.forEnvironment(environment) })

        internal fun wrap(native: FfiTokenServiceClient) = TokenServiceClient(native)
    }

    /** Returns the IAM base URL. */
    fun baseUrl(): String = native.baseUrl()

    /** Generates a user token for the designated user. */
    fun generateUserToken(username: String, password: String): UserToken =
        NativeRuntime.join(generateUserTokenAsync(username, password))

    /** Asynchronous [generateUserToken]. */
    fun generateUserTokenAsync(username: String, password: String): CompletableFuture<UserToken> =
        NativeRuntime.future { UserToken(UserTokenSource(native.generateUserToken(username, password))) }

    /** Reads the entity's current secret. */
    fun readSecret(userToken: UserToken, entityId: String): SecretInfo =
        NativeRuntime.join(readSecretAsync(userToken, entityId))

    /** Asynchronous [readSecret]. */
    fun readSecretAsync(userToken: UserToken, entityId: String): CompletableFuture<SecretInfo> =
        NativeRuntime.future { SecretInfo(SecretSource(native.readSecret(nativeOf(userToken), entityId))) }

    /**
     * Resets the entity's secret and returns the new one; the old one stops working at once.
     * Never retried: after a lost reply only [readSecret] can tell whether the Reset happened.
     *
     * @param secretExpiryDays the requested validity, capped by the service; null for its default
     */
    fun resetSecret(userToken: UserToken, entityId: String, secretExpiryDays: Int?): SecretInfo =
        NativeRuntime.join(resetSecretAsync(userToken, entityId, secretExpiryDays))

    /** Asynchronous [resetSecret]. */
    fun resetSecretAsync(userToken: UserToken, entityId: String, secretExpiryDays: Int?): CompletableFuture<SecretInfo> {
        if (secretExpiryDays != null && secretExpiryDays < 1) {
            return CompletableFuture.failedFuture(
                AaRotationException.of("CONFIG", "secretExpiryDays must be at least 1, got $secretExpiryDays",
                    null, null, null, null, null, null, null, null),
            )
        }
        return NativeRuntime.future {
            SecretInfo(SecretSource(native.resetSecret(nativeOf(userToken), entityId, secretExpiryDays?.toUInt())))
        }
    }

    /** Generates an entity token from the entity id and secret. */
    fun generateEntityToken(entityId: String, secret: String): AccessToken =
        NativeRuntime.join(generateEntityTokenAsync(entityId, secret))

    /** Asynchronous [generateEntityToken]. */
    fun generateEntityTokenAsync(entityId: String, secret: String): CompletableFuture<AccessToken> =
        NativeRuntime.future { NativeRuntime.token(native.generateEntityToken(entityId, secret)) }

    /** Frees the native object. */
    override fun close() = native.close()

    /** Returns a description with the base URL. */
    override fun toString(): String = "TokenServiceClient[" + native.baseUrl() + "]"

    private fun nativeOf(token: UserToken): FfiUserToken {
        val source = token.source()
        require(source is UserTokenSource) { "the user token was not issued by this library" }
        return source.native
    }
}

/** The native user token behind a [UserToken]. */
internal class UserTokenSource(val native: FfiUserToken) : UserToken.Source {
    override fun reveal(): String = native.reveal()

    override fun issuedAt() = native.issuedAt()

    override fun expiresAt() = native.expiresAt()
}

/** The native secret read or reset result behind a [SecretInfo]. */
internal class SecretSource(private val native: FfiSecretInfo) : SecretInfo.Source {
    override fun reveal(): String = native.reveal()

    override fun metadata(): SecretInfo.Metadata {
        val m = native.metadata()
        return SecretInfo.Metadata(m.entityId, m.fingerprint, m.expiresAt, m.expirySource, m.message, m.txnId)
    }
}
