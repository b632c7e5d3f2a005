package org.aarotation;

/**
 * Receives rotation events from {@code RotationClient.subscribe}.
 *
 * <p>Called on the library's thread that emitted the event, so it must return quickly and hand
 * slow work to an executor. An exception it throws is logged and does not stop other listeners.
 */
@FunctionalInterface
public interface RotationEventListener {
    /** Handles one event. */
    void onEvent(RotationEvent event);
}
