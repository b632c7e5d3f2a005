package org.aarotation;

/**
 * The Token Service returned a redirect, which is never followed because the request
 * carries credentials. Check the base URL.
 *
 * <p>Its {@link #code()} is {@code REDIRECTED}.
 */
public final class RedirectedException extends AaRotationException {
    private static final long serialVersionUID = 1L;

    RedirectedException(AaRotationException.Detail detail) {
        super(detail);
    }
}
