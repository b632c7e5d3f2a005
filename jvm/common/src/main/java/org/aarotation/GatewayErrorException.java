package org.aarotation;

/**
 * A gateway in front of the Token Service returned an HTTP error status with a body that is
 * not the service's envelope, such as an HTML page.
 *
 * <p>Its {@link #code()} is {@code GATEWAY_ERROR}.
 */
public final class GatewayErrorException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    GatewayErrorException(AaRotationException.Detail detail) {
        super(detail);
    }
}
