package org.aarotation;

/**
 * The Token Service returned an HTTP error status with its JSON error envelope.
 *
 * <p>Its {@link #code()} is {@code SERVER_ERROR}.
 */
public final class ServerErrorException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    ServerErrorException(AaRotationException.Detail detail) {
        super(detail);
    }
}
