package org.aarotation;

/**
 * The configuration or an argument is invalid. Raised before any network traffic.
 *
 * <p>Its {@link #code()} is {@code CONFIG}.
 */
public final class ConfigException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    ConfigException(AaRotationException.Detail detail) {
        super(detail);
    }
}
