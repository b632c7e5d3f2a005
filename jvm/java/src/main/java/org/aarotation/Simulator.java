package org.aarotation;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.aarotation.ffi.AaRotationJvm;

/**
 * The Token Service simulator, running inside this JVM on 127.0.0.1 with a free port, for tests
 * and demos. It serves the four Token Service calls with real JWTs, a clock that tests move,
 * fault injection and call counters. Close it to stop it.
 *
 * <p>JSON arguments are the simulator's own documents, the same that its {@code /_sim/} control
 * endpoints accept.
 */
public final class Simulator implements AutoCloseable {
    static {
        NativeRuntime.ensureLoaded();
    }

    private final org.aarotation.ffi.Simulator nativeSimulator;

    private Simulator(org.aarotation.ffi.Simulator nativeSimulator) {
        this.nativeSimulator = nativeSimulator;
    }

    /** Starts a simulator with the default configuration. */
    public static Simulator start() {
        return start(null);
    }

    /**
     * Starts a simulator configured by {@code configJson}, such as {@code
     * {"entityTokenValiditySeconds": 3600}}; null takes the defaults.
     */
    public static Simulator start(String configJson) {
        return NativeRuntime.join(NativeRuntime.adapt(AaRotationJvm.startSimulator(configJson), Simulator::new));
    }

    /** Returns the IAM base URL, {@code http://127.0.0.1:PORT/iam}. */
    public String baseUrl() {
        return nativeSimulator.baseUrl();
    }

    /** Returns the root URL, under which the {@code /_sim/} control endpoints live. */
    public String rootUrl() {
        return nativeSimulator.rootUrl();
    }

    /** Adds the users and entities of a seed document. */
    public void seed(String seedJson) {
        NativeRuntime.call(() -> {
            nativeSimulator.seed(seedJson);
            return null;
        });
    }

    /** Adds a designated user with rights over {@code entities}. */
    public void addUser(String username, String password, List<String> entities) {
        NativeRuntime.call(() -> {
            nativeSimulator.addUser(username, password, entities);
            return null;
        });
    }

    /** Adds an entity with its current secret; a null {@code expiresAt} never expires. */
    public void addEntity(String entityId, String secret, Instant expiresAt) {
        NativeRuntime.call(() -> {
            nativeSimulator.addEntity(entityId, secret, expiresAt);
            return null;
        });
    }

    /** Moves the simulator's clock forward. */
    public void advanceClock(Duration by) {
        NativeRuntime.call(() -> {
            nativeSimulator.advanceClock(by.toMillis() / 1000.0);
            return null;
        });
    }

    /**
     * Injects a fault, such as {@code {"kind":"html","status":502}}, into the next {@code count}
     * requests to {@code endpoint} ({@code user_token}, {@code secret_read}, {@code
     * secret_reset}, {@code entity_token} or {@code oidc_token}), or into all of them when
     * {@code count} is null.
     */
    public void injectFault(String endpoint, String faultJson, Integer count) {
        NativeRuntime.call(() -> {
            nativeSimulator.injectFault(endpoint, faultJson, count);
            return null;
        });
    }

    /** Removes every injected fault. */
    public void clearFaults() {
        NativeRuntime.call(() -> {
            nativeSimulator.clearFaults();
            return null;
        });
    }

    /** Returns a snapshot of the call counters. */
    public SimulatorCounters counters() {
        org.aarotation.ffi.SimulatorCounters c = NativeRuntime.call(nativeSimulator::counters);
        return new SimulatorCounters(c.userToken(), c.secretRead(), c.secretReset(), c.entityToken(),
                c.oidcToken(), c.resets(), c.fingerprints());
    }

    /** Returns the entity's current secret as the simulator stores it. For tests only. */
    public Optional<String> currentSecret(String entityId) {
        return Optional.ofNullable(NativeRuntime.call(() -> nativeSimulator.currentSecret(entityId)));
    }

    /** Stops the simulator and waits until its connections are closed. */
    public void stop() {
        NativeRuntime.join(nativeSimulator.stop());
    }

    /** Stops the simulator and frees the native object. */
    @Override
    public void close() {
        stop();
        nativeSimulator.close();
    }

    /** Returns a description with the base URL. */
    @Override
    public String toString() {
        return "Simulator[" + nativeSimulator.baseUrl() + "]";
    }
}
