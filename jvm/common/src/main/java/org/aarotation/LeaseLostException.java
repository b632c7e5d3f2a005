package org.aarotation;

/**
 * The rotation lease expired or was taken over while this process held it, so this process
 * stopped writing.
 *
 * <p>Its {@link #code()} is {@code LEASE_LOST}.
 */
public final class LeaseLostException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    LeaseLostException(AaRotationException.Detail detail) {
        super(detail);
    }
}
