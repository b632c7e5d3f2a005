package org.aarotation;

/**
 * The store contains no secret, and neither the designated user's credentials nor a bootstrap
 * secret are configured.
 *
 * <p>Its {@link #code()} is {@code NOT_BOOTSTRAPPED}.
 */
public final class NotBootstrappedException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    NotBootstrappedException(AaRotationException.Detail detail) {
        super(detail);
    }
}
