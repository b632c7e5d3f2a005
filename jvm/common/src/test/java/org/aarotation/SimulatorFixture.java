package org.aarotation;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One simulator for a test class, with a fresh entity and designated user per test so that
 * tests do not see each other's secrets. Counter checks compare before and after, because
 * the simulator counts requests of every entity together.
 */
final class SimulatorFixture implements AutoCloseable {
    private static final AtomicInteger NEXT_ID = new AtomicInteger();

    /** An entity seeded into the simulator, with a designated user that manages it. */
    record Entity(String entityId, String secret, String username, String password) {}

    final Simulator simulator;

    SimulatorFixture() {
        simulator = Simulator.start();
    }

    /** Seeds an entity whose secret expires in {@code daysLeft} days, and its user. */
    Entity entity(double daysLeft) {
        int id = NEXT_ID.incrementAndGet();
        String entityId = "FIU-JVM-" + id;
        // Distinct, recognisable values, so that a redaction test can search for them.
        Entity entity = new Entity(entityId, "canary-secret-" + id + "-x9Q", "ops" + id + "@example.in",
                "canary-password-" + id + "-Zt7");
        Instant expiresAt = simulatorNow().plus(Duration.ofSeconds((long) (daysLeft * 86_400)));
        simulator.addEntity(entity.entityId(), entity.secret(), expiresAt);
        simulator.addUser(entity.username(), entity.password(), List.of(entity.entityId()));
        return entity;
    }

    /** Returns the simulator's clock, which tests never move, so it is the system clock. */
    private static Instant simulatorNow() {
        return Instant.now();
    }

    /** Returns settings for {@code entity} against this simulator, with a memory store. */
    RotationSettings settings(Entity entity) {
        return RotationSettings.builder()
                .entityId(entity.entityId())
                .baseUrl(simulator.baseUrl())
                .credentials(entity.username(), entity.password())
                .memoryStore();
    }

    /** Returns a client for {@code entity} with a memory store. */
    RotationClient client(Entity entity) {
        return RotationClient.create(settings(entity));
    }

    @Override
    public void close() {
        simulator.close();
    }
}
