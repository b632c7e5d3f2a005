package org.aarotation;

/**
 * The Token Service rejected the entity id and secret: the secret is wrong, expired or was
 * reset elsewhere. {@code RotationClient.recover()} reads the current one.
 *
 * <p>Its {@link #code()} is {@code INVALID_ENTITY_SECRET}.
 */
public final class InvalidEntitySecretException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    InvalidEntitySecretException(AaRotationException.Detail detail) {
        super(detail);
    }
}
