package org.aarotation;

/**
 * Receives the native library's log lines, for applications without SLF4J. See {@link
 * AaRotation#setLogListener(LogListener, String)}. Lines never contain a secret, password or
 * token.
 */
@FunctionalInterface
public interface LogListener {
    /**
     * Handles one log line.
     *
     * @param level {@code ERROR}, {@code WARN}, {@code INFO}, {@code DEBUG} or {@code TRACE}
     * @param target the Rust module that logged, such as {@code aa_rotation::engine}
     * @param message the message with its fields and those of its spans (entity id, txnId)
     */
    void log(String level, String target, String message);
}
