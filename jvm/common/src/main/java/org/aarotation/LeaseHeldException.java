package org.aarotation;

/**
 * Another instance holds the entity's rotation lease.
 *
 * <p>Its {@link #code()} is {@code LEASE_HELD}.
 */
public final class LeaseHeldException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    LeaseHeldException(AaRotationException.Detail detail) {
        super(detail);
    }
}
