package org.aarotation;

/**
 * The secret store failed.
 *
 * <p>Its {@link #code()} is {@code STORE}.
 */
public final class StoreException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    StoreException(AaRotationException.Detail detail) {
        super(detail);
    }
}
