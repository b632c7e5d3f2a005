package org.aarotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RotationClientTest {
    private static SimulatorFixture fixture;

    @BeforeAll
    static void startSimulator() {
        fixture = new SimulatorFixture();
    }

    @AfterAll
    static void stopSimulator() {
        fixture.close();
    }

    @Test
    void dueSecretIsRotated() {
        SimulatorFixture.Entity entity = fixture.entity(10);
        long resetsBefore = fixture.simulator.counters().resets().getOrDefault(entity.entityId(), 0L);
        try (RotationClient client = fixture.client(entity)) {
            RotationOutcome outcome = client.rotate();

            assertEquals(RotationAction.ROTATED, outcome.action());
            assertEquals(1, outcome.resets());
            // The outcome describes the secret after the call: the new one is not due.
            assertFalse(outcome.due());
            assertNotEquals(outcome.oldFingerprint(), outcome.fingerprint());
            SimulatorCounters counters = fixture.simulator.counters();
            assertEquals(resetsBefore + 1, counters.resets().get(entity.entityId()));
            assertEquals(counters.fingerprints().get(entity.entityId()), outcome.fingerprint());
            assertTrue(outcome.daysLeft() > 170, "days left after rotation: " + outcome.daysLeft());

            AccessToken token = client.accessToken();
            assertEquals(outcome.fingerprint(), token.secretFingerprint());
        }
    }

    @Test
    void secretNotDueIsKept() {
        SimulatorFixture.Entity entity = fixture.entity(100);
        try (RotationClient client = fixture.client(entity)) {
            RotationOutcome outcome = client.rotate();

            assertEquals(RotationAction.NOT_DUE, outcome.action());
            assertEquals(0, outcome.resets());
            assertFalse(outcome.due());
            assertEquals(outcome.oldFingerprint(), outcome.fingerprint());
            assertEquals(0L, fixture.simulator.counters().resets().get(entity.entityId()));
        }
    }

    @Test
    void forcedRotationIgnoresPolicy() {
        SimulatorFixture.Entity entity = fixture.entity(100);
        try (RotationClient client = fixture.client(entity)) {
            RotationOutcome outcome = client.rotate(true, false);

            assertEquals(RotationAction.ROTATED, outcome.action());
            assertEquals(1L, fixture.simulator.counters().resets().get(entity.entityId()));
        }
    }

    @Test
    void dryRunChangesNothing() {
        SimulatorFixture.Entity entity = fixture.entity(10);
        try (RotationClient client = fixture.client(entity)) {
            RotationOutcome outcome = client.rotate(false, true);

            assertEquals(RotationAction.DRY_RUN, outcome.action());
            assertTrue(outcome.due());
            assertEquals(0L, fixture.simulator.counters().resets().get(entity.entityId()));
        }
    }

    @Test
    void statusReportsDaysLeft() {
        SimulatorFixture.Entity entity = fixture.entity(100);
        try (RotationClient client = fixture.client(entity)) {
            SecretStatus status = client.status();

            assertEquals(entity.entityId(), status.entityId());
            assertEquals(SecretState.HEALTHY, status.state());
            assertEquals(99.9, status.daysLeft(), 0.2);
            assertFalse(status.due());
            assertEquals("idle", status.journal());
            assertEquals("memory:", status.store());
            assertNotNull(status.expiresAt());
        }
    }

    @Test
    void listenerReceivesRotatedEvent() {
        SimulatorFixture.Entity entity = fixture.entity(10);
        List<RotationEvent> events = new CopyOnWriteArrayList<>();
        try (RotationClient client = fixture.client(entity)) {
            long id = client.subscribe(events::add);
            RotationOutcome outcome = client.rotate();
            client.unsubscribe(id);
            client.rotate(true, false);

            List<RotationEvent> rotated =
                    events.stream().filter(e -> e.kind() == EventKind.ROTATED).toList();
            assertEquals(1, rotated.size(), "events: " + events);
            assertEquals(outcome.fingerprint(), rotated.get(0).newFingerprint());
            assertEquals(entity.entityId(), rotated.get(0).entityId());
        }
    }

    @Test
    void asyncCallsComplete() throws Exception {
        SimulatorFixture.Entity entity = fixture.entity(100);
        try (RotationClient client = fixture.client(entity)) {
            SecretStatus status = client.statusAsync().get();
            AccessToken token = client.accessTokenAsync().get();

            assertEquals(status.fingerprint(), token.secretFingerprint());
            assertTrue(client.cachedAccessToken().isPresent());
            client.invalidate(token);
            assertTrue(client.cachedAccessToken().isEmpty());
        }
    }

    @Test
    void recoverWithNothingInterrupted() {
        SimulatorFixture.Entity entity = fixture.entity(100);
        try (RotationClient client = fixture.client(entity)) {
            RecoveryOutcome outcome = client.recover();

            assertEquals(RecoveryAction.NOTHING, outcome.action());
        }
    }

    @Test
    void backgroundScheduleRotatesDueSecret() throws Exception {
        SimulatorFixture.Entity entity = fixture.entity(10);
        try (RotationClient client = fixture.client(entity)) {
            client.start();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (fixture.simulator.counters().resets().get(entity.entityId()) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            client.stop();

            assertEquals(1L, fixture.simulator.counters().resets().get(entity.entityId()));
        }
    }
}
