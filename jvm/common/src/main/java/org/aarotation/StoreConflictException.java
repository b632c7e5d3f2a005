package org.aarotation;

/**
 * A compare-and-set write to the secret store lost against another writer.
 *
 * <p>Its {@link #code()} is {@code STORE_CONFLICT}.
 */
public final class StoreConflictException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    StoreConflictException(AaRotationException.Detail detail) {
        super(detail);
    }
}
