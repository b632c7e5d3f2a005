package org.aarotation;

/**
 * Code of the host application failed: a {@link SecretStore} or a listener threw an exception.
 *
 * <p>Its {@link #code()} is {@code HOST}.
 */
public final class HostException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    HostException(AaRotationException.Detail detail) {
        super(detail);
    }
}
