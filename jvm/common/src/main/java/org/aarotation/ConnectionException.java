package org.aarotation;

/**
 * The connection to the Token Service failed or closed before a complete response arrived.
 *
 * <p>Its {@link #code()} is {@code CONNECTION}.
 */
public final class ConnectionException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    ConnectionException(AaRotationException.Detail detail) {
        super(detail);
    }
}
