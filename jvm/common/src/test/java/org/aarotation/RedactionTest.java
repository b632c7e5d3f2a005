package org.aarotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedactionTest {
    private static SimulatorFixture fixture;

    @BeforeAll
    static void startSimulator() {
        fixture = new SimulatorFixture();
    }

    @AfterAll
    static void stopSimulator() {
        fixture.close();
    }

    /** Renders {@code value} in every way Java code commonly turns an object into text. */
    private static List<String> renderings(Object value) {
        List<String> texts = new ArrayList<>();
        texts.add(value.toString());
        texts.add("" + value);
        texts.add(String.valueOf(value));
        texts.add(String.format("%s", value));
        texts.add(List.of(value).toString());
        texts.add(Map.of("value", value).toString());
        texts.add(new StringBuilder().append(value).toString());
        return texts;
    }

    private static void assertAbsent(String secret, Object value) {
        for (String text : renderings(value)) {
            assertFalse(text.contains(secret), "leaked in: " + text);
        }
    }

    @Test
    void accessTokenIsRedacted() {
        SimulatorFixture.Entity entity = fixture.entity(100);
        try (RotationClient client = fixture.client(entity)) {
            AccessToken token = client.accessToken();
            String value = token.reveal();

            assertTrue(value.length() > 20, "a JWT is expected");
            assertAbsent(value, token);
            assertTrue(token.toString().contains("redacted"), token.toString());
            assertEquals("Bearer " + value, token.authorizationHeader());
        }
    }

    @Test
    void settingsAreRedacted() {
        RotationSettings settings = RotationSettings.builder()
                .entityId("FIU-1")
                .credentials("ops@example.in", "canary-password-Settings")
                .bootstrapSecret("canary-secret-Settings");

        assertAbsent("canary-password-Settings", settings);
        assertAbsent("canary-secret-Settings", settings);
        assertTrue(settings.toString().contains("FIU-1"), settings.toString());
    }

    @Test
    void tokenServiceResultsAreRedacted() {
        SimulatorFixture.Entity entity = fixture.entity(100);
        try (TokenServiceClient service = TokenServiceClient.create(fixture.simulator.baseUrl())) {
            UserToken userToken = service.generateUserToken(entity.username(), entity.password());
            SecretInfo secret = service.readSecret(userToken, entity.entityId());

            assertAbsent(userToken.reveal(), userToken);
            assertAbsent(entity.secret(), secret);
            assertEquals(entity.secret(), secret.reveal());
        }
    }

    @Test
    void resultsAndEventsHoldFingerprintsOnly() {
        SimulatorFixture.Entity entity = fixture.entity(10);
        List<RotationEvent> events = new CopyOnWriteArrayList<>();
        try (RotationClient client = fixture.client(entity)) {
            client.subscribe(events::add);
            RotationOutcome outcome = client.rotate();
            SecretStatus status = client.status();
            String newSecret = fixture.simulator.currentSecret(entity.entityId()).orElseThrow();

            for (String secret : List.of(entity.secret(), newSecret, entity.password())) {
                assertAbsent(secret, outcome);
                assertAbsent(secret, status);
                assertAbsent(secret, events);
            }
        }
    }

    @Test
    void traceLogsHoldNoSecrets() {
        SimulatorFixture.Entity entity = fixture.entity(10);
        List<String> lines = new CopyOnWriteArrayList<>();
        AaRotation.setLogListener((level, target, message) -> lines.add(level + " " + target + " " + message), "TRACE");
        try (RotationClient client = fixture.client(entity)) {
            client.rotate();
            String token = client.accessToken().reveal();
            String newSecret = fixture.simulator.currentSecret(entity.entityId()).orElseThrow();

            assertFalse(lines.isEmpty(), "no log line was captured");
            for (String line : lines) {
                for (String secret : List.of(entity.secret(), newSecret, entity.password(), token)) {
                    assertFalse(line.contains(secret), "leaked in log line: " + line);
                }
            }
            assertTrue(lines.stream().anyMatch(l -> l.contains(entity.entityId())), "entity id is logged");
        } finally {
            AaRotation.setLogListener(null, "OFF");
        }
    }
}
