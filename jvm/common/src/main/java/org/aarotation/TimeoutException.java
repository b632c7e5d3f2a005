package org.aarotation;

/**
 * No complete response arrived within the request timeout. Not to be confused with {@link
 * java.util.concurrent.TimeoutException}.
 *
 * <p>Its {@link #code()} is {@code TIMEOUT}.
 */
public final class TimeoutException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    TimeoutException(AaRotationException.Detail detail) {
        super(detail);
    }
}
