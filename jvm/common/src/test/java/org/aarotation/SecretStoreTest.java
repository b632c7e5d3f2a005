package org.aarotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SecretStoreTest {
    private static SimulatorFixture fixture;

    @BeforeAll
    static void startSimulator() {
        fixture = new SimulatorFixture();
    }

    @AfterAll
    static void stopSimulator() {
        fixture.close();
    }

    /** A compare-and-set store in a map, which fails writes on request. */
    static final class MapStore implements SecretStore {
        private record Stored(long version, String json) {}

        private final Map<String, Stored> records = new ConcurrentHashMap<>();
        final AtomicInteger puts = new AtomicInteger();
        volatile boolean failPendingWrites;

        @Override
        public Optional<String> get(String entityId) {
            return Optional.ofNullable(records.get(entityId)).map(Stored::json);
        }

        @Override
        public synchronized boolean put(String entityId, long version, String recordJson, OptionalLong expectedVersion)
                throws java.io.IOException {
            if (failPendingWrites && !new JSONObject(recordJson).isNull("pending")) {
                // The message echoes the record, as a careless vault client might.
                throw new java.io.IOException("vault unavailable while writing " + recordJson);
            }
            Stored current = records.get(entityId);
            boolean matches = expectedVersion.isPresent()
                    ? current != null && current.version() == expectedVersion.getAsLong()
                    : current == null;
            if (!matches) {
                return false;
            }
            records.put(entityId, new Stored(version, recordJson));
            puts.incrementAndGet();
            return true;
        }

        @Override
        public String describe() {
            return "map://test";
        }

        JSONObject record(String entityId) {
            return new JSONObject(records.get(entityId).json());
        }
    }

    private RotationClient client(SimulatorFixture.Entity entity, MapStore store) {
        return RotationClient.create(fixture.settings(entity).secretStore(store));
    }

    @Test
    void storeReceivesNewSecret() {
        SimulatorFixture.Entity entity = fixture.entity(10);
        MapStore store = new MapStore();
        try (RotationClient client = client(entity, store)) {
            RotationOutcome outcome = client.rotate();

            assertEquals(RotationAction.ROTATED, outcome.action());
            String stored = store.record(entity.entityId()).getJSONObject("current").getString("value");
            assertEquals(fixture.simulator.currentSecret(entity.entityId()).orElseThrow(), stored);
            assertNotEquals(entity.secret(), stored);
            assertEquals("map://test", client.status().store());
        }
    }

    @Test
    void failingStoreLeavesRotationRecoverable() {
        SimulatorFixture.Entity entity = fixture.entity(10);
        MapStore store = new MapStore();
        try (RotationClient client = client(entity, store)) {
            client.status();
            store.failPendingWrites = true;

            RotationFailedException error = assertThrows(RotationFailedException.class, client::rotate);

            HostException cause = assertInstanceOf(HostException.class, error.getCause());
            assertTrue(cause.getMessage().contains("vault unavailable"), cause.getMessage());
            String newSecret = fixture.simulator.currentSecret(entity.entityId()).orElseThrow();
            assertNotEquals(entity.secret(), newSecret, "the Reset went through before the store failed");
            assertFalse(error.getMessage().contains(newSecret), error.getMessage());
            assertFalse(cause.getMessage().contains(newSecret), cause.getMessage());

            store.failPendingWrites = false;
            RecoveryOutcome recovery = client.recover();

            assertNotEquals(RecoveryAction.NOTHING, recovery.action());
            String expectedFingerprint = fixture.simulator.counters().fingerprints().get(entity.entityId());
            assertEquals(expectedFingerprint, recovery.fingerprint());
            AccessToken token = client.accessToken();
            assertEquals(expectedFingerprint, token.secretFingerprint());
            assertEquals(newSecret, store.record(entity.entityId()).getJSONObject("current").getString("value"));
        }
    }

    @Test
    void storeExceptionBecomesHostError() {
        SimulatorFixture.Entity entity = fixture.entity(100);
        SecretStore broken = new SecretStore() {
            @Override
            public Optional<String> get(String entityId) {
                throw new IllegalStateException("vault sealed");
            }

            @Override
            public boolean put(String entityId, long version, String recordJson, OptionalLong expectedVersion) {
                return false;
            }
        };
        try (RotationClient client = RotationClient.create(fixture.settings(entity).secretStore(broken))) {
            AaRotationException error = assertThrows(AaRotationException.class, client::status);

            assertEquals("HOST", error.code());
            assertTrue(error.getMessage().contains("vault sealed"), error.getMessage());
        }
    }
}
