package org.aarotation;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * A secret store implemented by the application, such as a bridge to its vault, given to
 * {@link RotationSettings#secretStore(SecretStore)}.
 *
 * <p>The library keeps one versioned record per entity and hands it over as JSON text that
 * contains secret values: store it as securely as the secret itself, never log it, and return
 * exactly the text that {@link #put} received. Methods run on a blocking thread of the native
 * library's runtime and may block. An exception fails the operation with a {@link
 * HostException}; a rotation that fails that way stays recoverable through {@code recover()}.
 */
public interface SecretStore {
    /**
     * Returns the record JSON stored for {@code entityId}, or empty when there is none.
     *
     * @throws Exception when the store cannot be read
     */
    Optional<String> get(String entityId) throws Exception;

    /**
     * Stores {@code recordJson}, whose version is {@code version}, as a compare-and-set: only
     * if the stored record's version equals {@code expectedVersion}, or, when that is empty,
     * only if no record is stored. The check and the write must be atomic.
     *
     * @return whether the record was stored
     * @throws Exception when the store cannot be written
     */
    boolean put(String entityId, long version, String recordJson, OptionalLong expectedVersion)
            throws Exception;

    /**
     * Returns a description for status output, such as {@code vault://kv/aa-rotation}. Must not
     * contain a password.
     */
    default String describe() {
        return getClass().getName();
    }
}
