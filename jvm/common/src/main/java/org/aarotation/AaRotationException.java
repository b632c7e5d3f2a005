package org.aarotation;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The base class of every error that the library raises. Each error kind of the Rust core has
 * its own subclass, such as {@link InvalidUserCredentialsException}, and a stable
 * {@link #code()}, such as {@code INVALID_USER_CREDENTIALS}, shared with the Python and Node
 * bindings.
 *
 * <p>Unchecked, because most calls return a {@link java.util.concurrent.CompletableFuture}: there
 * it arrives wrapped in a {@link java.util.concurrent.CompletionException}, while the blocking
 * methods throw it directly. The message states what failed and what to do next; neither the
 * message nor any field contains a secret, password or token.
 */
public abstract class AaRotationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The fields that every kind carries, as the native library reports them. */
    record Detail(
            String code,
            String message,
            Integer status,
            String errorCode,
            String errorMsg,
            String txnId,
            Long retryAfterSeconds) {}

    private final String code;
    private final Integer status;
    private final String errorCode;
    private final String errorMsg;
    private final String txnId;
    private final Long retryAfterSeconds;

    AaRotationException(Detail detail) {
        super(detail.message());
        this.code = detail.code();
        this.status = detail.status();
        this.errorCode = detail.errorCode();
        this.errorMsg = detail.errorMsg();
        this.txnId = detail.txnId();
        this.retryAfterSeconds = detail.retryAfterSeconds();
    }

    /** Returns the stable error code, such as {@code INVALID_USER_CREDENTIALS}. */
    public String code() {
        return code;
    }

    /** Returns the HTTP status, when the error came from an HTTP response. */
    public OptionalInt status() {
        return status == null ? OptionalInt.empty() : OptionalInt.of(status);
    }

    /** Returns the {@code errorCode} of the Token Service's error envelope. */
    public Optional<String> errorCode() {
        return Optional.ofNullable(errorCode);
    }

    /** Returns the {@code errorMsg} of the Token Service's error envelope, scrubbed and shortened. */
    public Optional<String> errorMsg() {
        return Optional.ofNullable(errorMsg);
    }

    /** Returns the {@code txnId} of the failed request, for a support ticket. */
    public Optional<String> txnId() {
        return Optional.ofNullable(txnId);
    }

    /** Returns the {@code Retry-After} delay of a rate-limited request. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfterSeconds).map(Duration::ofSeconds);
    }

    /**
     * Builds the exception of {@code code}. For {@code ROTATION_FAILED}, {@code causeCode} and
     * {@code causeMessage} describe the innermost cause, which becomes {@link #getCause()} and
     * shares the HTTP fields, because the core reports those of the cause.
     */
    static AaRotationException of(
            String code,
            String message,
            Integer status,
            String errorCode,
            String errorMsg,
            String txnId,
            Long retryAfterSeconds,
            String step,
            String causeCode,
            String causeMessage) {
        Detail detail = new Detail(code, message, status, errorCode, errorMsg, txnId, retryAfterSeconds);
        if ("ROTATION_FAILED".equals(code)) {
            AaRotationException cause = causeCode == null
                    ? null
                    : of(causeCode, causeMessage, status, errorCode, errorMsg, txnId, retryAfterSeconds,
                            null, null, null);
            return new RotationFailedException(detail, step, cause);
        }
        return switch (code) {
            case "INVALID_USER_CREDENTIALS" -> new InvalidUserCredentialsException(detail);
            case "USER_TOKEN_REJECTED" -> new UserTokenRejectedException(detail);
            case "ENTITY_NOT_PERMITTED" -> new EntityNotPermittedException(detail);
            case "INVALID_ENTITY_SECRET" -> new InvalidEntitySecretException(detail);
            case "BAD_REQUEST" -> new BadRequestException(detail);
            case "RATE_LIMITED" -> new RateLimitedException(detail);
            case "SERVER_ERROR" -> new ServerErrorException(detail);
            case "GATEWAY_ERROR" -> new GatewayErrorException(detail);
            case "REDIRECTED" -> new RedirectedException(detail);
            case "TIMEOUT" -> new TimeoutException(detail);
            case "CONNECTION" -> new ConnectionException(detail);
            case "MALFORMED_RESPONSE" -> new MalformedResponseException(detail);
            case "CONFIG" -> new ConfigException(detail);
            case "STORE" -> new StoreException(detail);
            case "STORE_CONFLICT" -> new StoreConflictException(detail);
            case "LEASE_HELD" -> new LeaseHeldException(detail);
            case "LEASE_LOST" -> new LeaseLostException(detail);
            case "NOT_BOOTSTRAPPED" -> new NotBootstrappedException(detail);
            case "HOST" -> new HostException(detail);
            // A code added to the core before this class learned it: keep the message.
            default -> new HostException(detail);
        };
    }

    /**
     * Returns {@code error} itself when it is an {@link AaRotationException} wrapped by a
     * {@link java.util.concurrent.CompletionException} or {@link
     * java.util.concurrent.ExecutionException}, so that blocking methods throw the typed error.
     */
    static RuntimeException unwrap(Throwable error) {
        Throwable current = error;
        while ((current instanceof java.util.concurrent.CompletionException
                        || current instanceof java.util.concurrent.ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        if (current instanceof RuntimeException runtime) {
            return runtime;
        }
        if (current instanceof Error fatal) {
            throw fatal;
        }
        return new java.util.concurrent.CompletionException(current);
    }
}
