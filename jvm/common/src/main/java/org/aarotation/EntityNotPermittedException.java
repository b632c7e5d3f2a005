package org.aarotation;

/**
 * The designated user has no rights over the entity.
 *
 * <p>Its {@link #code()} is {@code ENTITY_NOT_PERMITTED}.
 */
public final class EntityNotPermittedException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    EntityNotPermittedException(AaRotationException.Detail detail) {
        super(detail);
    }
}
