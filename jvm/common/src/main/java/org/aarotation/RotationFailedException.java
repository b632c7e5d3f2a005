package org.aarotation;

/**
 * A rotation step failed. {@link #getCause()} is the innermost cause, also an {@link
 * AaRotationException}, and {@link #step()} names the step. The journal in the store lets
 * {@code recover()} finish or roll back the rotation.
 *
 * <p>Its {@link #code()} is {@code ROTATION_FAILED}.
 */
public final class RotationFailedException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    private final String step;

    RotationFailedException(AaRotationException.Detail detail, String step, AaRotationException cause) {
        super(detail);
        this.step = step;
        if (cause != null) {
            initCause(cause);
        }
    }

    /** Returns the protocol step that failed, such as {@code reset} or {@code verify}, when known. */
    public java.util.Optional<String> step() {
        return java.util.Optional.ofNullable(step);
    }
}
