package org.aarotation;

/**
 * The Token Service rejected the user token on a secret read or reset. It repeats only if the
 * designated user lost access.
 *
 * <p>Its {@link #code()} is {@code USER_TOKEN_REJECTED}.
 */
public final class UserTokenRejectedException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    UserTokenRejectedException(AaRotationException.Detail detail) {
        super(detail);
    }
}
