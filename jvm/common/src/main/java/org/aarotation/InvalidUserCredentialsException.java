package org.aarotation;

/**
 * The Token Service rejected the designated user's username or password. Check both; an
 * expired password can only be reset through Sahamati.
 *
 * <p>Its {@link #code()} is {@code INVALID_USER_CREDENTIALS}.
 */
public final class InvalidUserCredentialsException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    InvalidUserCredentialsException(AaRotationException.Detail detail) {
        super(detail);
    }
}
