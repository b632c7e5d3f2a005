package org.aarotation;

/**
 * A response of the Token Service could not be understood.
 *
 * <p>Its {@link #code()} is {@code MALFORMED_RESPONSE}.
 */
public final class MalformedResponseException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    MalformedResponseException(AaRotationException.Detail detail) {
        super(detail);
    }
}
