package org.aarotation;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of a {@code RotationClient}, named and checked exactly like the {@code
 * AA_ROTATION_*} environment variables that the command line and the other bindings read.
 *
 * <p>The builder methods set the common ones; {@link #set(String, String)} sets any variable by
 * name. Nothing is checked until {@code RotationClient.create}, which raises a {@link
 * ConfigException} naming the invalid setting. The process environment is not read: use {@code
 * RotationClient.fromEnv()} for that. {@link #toString()} redacts the password and the
 * bootstrap secret.
 *
 * <pre>{@code
 * RotationSettings settings = RotationSettings.builder()
 *         .entityId("FIU-1")
 *         .environment("uat")
 *         .credentials("ops@example.in", password)
 *         .storeFile(Path.of("/var/lib/aa-rotation/secret.json"));
 * }</pre>
 */
public final class RotationSettings {
    private static final String PREFIX = "AA_ROTATION_";
    private static final Set<String> SECRET_NAMES = Set.of(PREFIX + "PASSWORD", PREFIX + "SECRET");

    private final Map<String, String> values = new LinkedHashMap<>();
    private SecretStore secretStore;

    private RotationSettings() {}

    /** Returns empty settings. */
    public static RotationSettings builder() {
        return new RotationSettings();
    }

    /**
     * Sets the variable {@code name}, with or without the {@code AA_ROTATION_} prefix, such as
     * {@code WINDOW} or {@code AA_ROTATION_WINDOW}. A null value removes it.
     */
    public RotationSettings set(String name, String value) {
        Objects.requireNonNull(name, "name");
        String key = name.startsWith(PREFIX) ? name : PREFIX + name;
        if (value == null) {
            values.remove(key);
        } else {
            values.put(key, value);
        }
        return this;
    }

    /** Sets the entity id, the Central Registry client id ({@code AA_ROTATION_ENTITY_ID}). */
    public RotationSettings entityId(String entityId) {
        return set("ENTITY_ID", entityId);
    }

    /** Selects Sahamati's {@code sandbox}, {@code uat} or {@code production} Token Service. */
    public RotationSettings environment(String environment) {
        return set("ENV", environment);
    }

    /**
     * Sets the IAM base URL, ending in {@code /iam}; overrides {@link #environment(String)}.
     * Plain {@code http://} is accepted for loopback hosts only.
     */
    public RotationSettings baseUrl(String baseUrl) {
        return set("BASE_URL", baseUrl);
    }

    /**
     * Sets the designated user's username and password, needed to read and reset the secret.
     * Prefer a service-account email, so that rotation keeps working when people leave.
     */
    public RotationSettings credentials(String username, String password) {
        set("USERNAME", username);
        return set("PASSWORD", password);
    }

    /** Reads the designated user's password from a file of mode 0600 or 0400. */
    public RotationSettings passwordFile(Path file) {
        return set("PASSWORD_FILE", file.toString());
    }

    /**
     * Sets the secret stored, with an unknown expiry, when the store is empty and no credentials
     * are configured.
     */
    public RotationSettings bootstrapSecret(String secret) {
        return set("SECRET", secret);
    }

    /** Stores the secret in a JSON file of mode 0600, the default being {@code ./aa-rotation-secret.json}. */
    public RotationSettings storeFile(Path file) {
        return set("STORE", file.toAbsolutePath().toString());
    }

    /** Keeps the secret in process memory only, as tests do. */
    public RotationSettings memoryStore() {
        return set("STORE", "memory:");
    }

    /** Keeps the secret in an application store; replaces {@link #storeFile} and {@link #memoryStore}. */
    public RotationSettings secretStore(SecretStore store) {
        this.secretStore = Objects.requireNonNull(store, "store");
        return this;
    }

    /** Appends every event as a JSON line to {@code file} (mode 0600). */
    public RotationSettings auditLog(Path file) {
        return set("AUDIT_LOG", file.toAbsolutePath().toString());
    }

    /** Rotates when fewer than {@code days} remain before expiry (default 30). */
    public RotationSettings rotateBeforeDays(double days) {
        return set("ROTATE_BEFORE_DAYS", Double.toString(days));
    }

    /** Rotates when the secret is older than {@code days}, whatever its expiry. */
    public RotationSettings maxAgeDays(double days) {
        return set("MAX_AGE_DAYS", Double.toString(days));
    }

    /** Requests this validity on Reset ({@code secretExpiryDays}); the service caps it at 180. */
    public RotationSettings secretExpiryDays(int days) {
        return set("SECRET_EXPIRY_DAYS", Integer.toString(days));
    }

    /** Restricts scheduled rotations to a window such as {@code Mon-Fri 10:00-16:00 Asia/Kolkata}. */
    public RotationSettings window(String window) {
        return set("WINDOW", window);
    }

    /** Adds a random delay of up to {@code jitter} to scheduled rotations, to spread a fleet. */
    public RotationSettings jitter(Duration jitter) {
        return set("JITTER_MINUTES", Double.toString(jitter.toMillis() / 60_000.0));
    }

    /** Sets how often the background schedule of {@code start()} checks the secret (default 1 hour). */
    public RotationSettings checkInterval(Duration interval) {
        return set("CHECK_INTERVAL_MINUTES", Double.toString(interval.toMillis() / 60_000.0));
    }

    /** Sets the time to establish a connection to the Token Service (default 5 s). */
    public RotationSettings connectTimeout(Duration timeout) {
        return set("CONNECT_TIMEOUT_SECONDS", Double.toString(timeout.toMillis() / 1000.0));
    }

    /** Sets the time for a whole request to the Token Service (default 15 s). */
    public RotationSettings requestTimeout(Duration timeout) {
        return set("REQUEST_TIMEOUT_SECONDS", Double.toString(timeout.toMillis() / 1000.0));
    }

    /** Sets how long a rotation waits for another instance's lease (default 120 s). */
    public RotationSettings leaseWait(Duration wait) {
        return set("LEASE_WAIT_SECONDS", Double.toString(wait.toMillis() / 1000.0));
    }

    /** Trusts an extra CA certificate (a PEM file), for a TLS-inspecting proxy. */
    public RotationSettings caFile(Path file) {
        return set("CA_FILE", file.toAbsolutePath().toString());
    }

    Map<String, String> values() {
        return Map.copyOf(values);
    }

    SecretStore secretStoreOrNull() {
        return secretStore;
    }

    /** Returns the settings with the password and the bootstrap secret redacted. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("RotationSettings{");
        String separator = "";
        for (Map.Entry<String, String> entry : values.entrySet()) {
            String value = SECRET_NAMES.contains(entry.getKey()) ? "[redacted]" : entry.getValue();
            text.append(separator).append(entry.getKey()).append('=').append(value);
            separator = ", ";
        }
        if (secretStore != null) {
            text.append(separator).append("store=").append(secretStore.describe());
        }
        return text.append('}').toString();
    }
}
