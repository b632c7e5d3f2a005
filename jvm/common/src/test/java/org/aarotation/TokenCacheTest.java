package org.aarotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The facade's copy of the cached entity token follows the native cache. */
class TokenCacheTest {
    private static Simulator simulator;

    @BeforeAll
    static void startSimulator() {
        // Two-second entity tokens: refreshed after 1.6 s, at 80% of their life.
        simulator = Simulator.start("{\"entityTokenValiditySeconds\": 2}");
    }

    @AfterAll
    static void stopSimulator() {
        simulator.close();
    }

    private static RotationClient client(String entityId) {
        simulator.addEntity(entityId, "cache-secret-" + entityId, Instant.now().plus(Duration.ofDays(100)));
        simulator.addUser("ops-" + entityId + "@example.in", "cache-password", List.of(entityId));
        return RotationClient.create(RotationSettings.builder()
                .entityId(entityId)
                .baseUrl(simulator.baseUrl())
                .credentials("ops-" + entityId + "@example.in", "cache-password")
                .memoryStore());
    }

    @Test
    void cachedTokenIsSameObject() {
        try (RotationClient client = client("FIU-CACHE-SAME")) {
            AccessToken first = client.accessToken();
            // The copy is a second wrapper of the same native token, served without a native call.
            AccessToken copy = client.accessToken();

            assertEquals(first.reveal(), copy.reveal());
            assertSame(copy, client.accessToken());
            assertSame(copy, client.cachedAccessToken().orElseThrow());
        }
    }

    @Test
    void tokenIsRefreshedAfterMostOfItsLife() throws InterruptedException {
        try (RotationClient client = client("FIU-CACHE-REFRESH")) {
            AccessToken first = client.accessToken();
            long requests = simulator.counters().entityToken();

            Thread.sleep(1_800);

            assertTrue(client.cachedAccessToken().isEmpty(), "a token past its refresh instant is not served");
            AccessToken second = client.accessToken();
            assertNotEquals(first.reveal(), second.reveal());
            assertEquals(requests + 1, simulator.counters().entityToken());
        }
    }

    @Test
    void rotationDropsCachedToken() {
        try (RotationClient client = client("FIU-CACHE-ROTATE")) {
            AccessToken before = client.accessToken();

            RotationOutcome outcome = client.rotate(true, false);

            assertTrue(client.cachedAccessToken().isEmpty(), "the token of the old secret is dropped");
            AccessToken after = client.accessToken();
            assertNotEquals(before.secretFingerprint(), after.secretFingerprint());
            assertEquals(outcome.fingerprint(), after.secretFingerprint());
        }
    }

    @Test
    void invalidateByValueDropsOnlyThatToken() {
        try (RotationClient client = client("FIU-CACHE-INVALIDATE")) {
            AccessToken token = client.accessToken();

            client.invalidate("some-other-token");
            assertEquals(token.reveal(), client.cachedAccessToken().orElseThrow().reveal());

            client.invalidate(token.reveal());
            assertTrue(client.cachedAccessToken().isEmpty());
            assertNotEquals(token.reveal(), client.accessToken().reveal());
        }
    }
}
