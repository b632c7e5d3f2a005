package org.aarotation;

/**
 * The Token Service rejected a request as invalid (HTTP 400).
 *
 * <p>Its {@link #code()} is {@code BAD_REQUEST}.
 */
public final class BadRequestException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    BadRequestException(AaRotationException.Detail detail) {
        super(detail);
    }
}
