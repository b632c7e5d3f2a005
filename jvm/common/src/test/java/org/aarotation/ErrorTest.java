package org.aarotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ErrorTest {
    private static SimulatorFixture fixture;

    @BeforeAll
    static void startSimulator() {
        fixture = new SimulatorFixture();
    }

    @AfterAll
    static void stopSimulator() {
        fixture.close();
    }

    @AfterEach
    void clearFaults() {
        fixture.simulator.clearFaults();
    }

    @Test
    void wrongPasswordRaisesInvalidUserCredentials() {
        SimulatorFixture.Entity entity = fixture.entity(10);
        RotationSettings settings = fixture.settings(entity).credentials(entity.username(), "wrong-password");
        try (RotationClient client = RotationClient.create(settings)) {
            InvalidUserCredentialsException error =
                    assertThrows(InvalidUserCredentialsException.class, client::status);

            assertEquals("INVALID_USER_CREDENTIALS", error.code());
            assertEquals(401, error.status().orElse(0));
            assertTrue(error.txnId().isPresent());
            assertTrue(error.getMessage().contains("password"), error.getMessage());
            assertFalse(error.getMessage().contains("wrong-password"), error.getMessage());
        }
    }

    @Test
    void wrongPasswordFailsRotationWithCause(@TempDir Path folder) {
        SimulatorFixture.Entity entity = fixture.entity(10);
        Path store = folder.resolve("secret.json");
        try (RotationClient client = RotationClient.create(fixture.settings(entity).storeFile(store))) {
            client.status();
        }
        RotationSettings wrong =
                fixture.settings(entity).credentials(entity.username(), "wrong-password").storeFile(store);
        try (RotationClient client = RotationClient.create(wrong)) {
            RotationFailedException error = assertThrows(RotationFailedException.class, () -> client.rotate(true, false));

            assertEquals("ROTATION_FAILED", error.code());
            assertInstanceOf(InvalidUserCredentialsException.class, error.getCause());
            assertEquals(401, error.status().orElse(0));
            assertTrue(error.step().isPresent());
        }
    }

    @Test
    void entityNotPermittedIsRaised() {
        SimulatorFixture.Entity entity = fixture.entity(10);
        SimulatorFixture.Entity other = fixture.entity(10);
        // The user of `other` has no rights over `entity`.
        RotationSettings settings = fixture.settings(entity).credentials(other.username(), other.password());
        try (RotationClient client = RotationClient.create(settings)) {
            EntityNotPermittedException error = assertThrows(EntityNotPermittedException.class, client::status);

            assertEquals("ENTITY_NOT_PERMITTED", error.code());
            assertTrue(error.getMessage().contains(entity.entityId()), error.getMessage());
        }
    }

    @Test
    void htmlGatewayPageRaisesGatewayError() {
        SimulatorFixture.Entity entity = fixture.entity(100);
        try (RotationClient client = fixture.client(entity)) {
            client.status();
            fixture.simulator.injectFault("entity_token", "{\"kind\":\"html\",\"status\":502}", null);

            GatewayErrorException error = assertThrows(GatewayErrorException.class, client::accessToken);

            assertEquals("GATEWAY_ERROR", error.code());
            assertEquals(502, error.status().orElse(0));
        }
    }

    @Test
    void asyncErrorArrivesInCompletionException() {
        SimulatorFixture.Entity entity = fixture.entity(100);
        try (RotationClient client = fixture.client(entity)) {
            client.status();
            fixture.simulator.injectFault("entity_token", "{\"kind\":\"html\",\"status\":503}", null);

            CompletionException error = assertThrows(CompletionException.class, () -> client.accessTokenAsync().join());

            assertInstanceOf(GatewayErrorException.class, error.getCause());
        }
    }

    @Test
    void closedPortRaisesConnection() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        RotationSettings settings = RotationSettings.builder()
                .entityId("FIU-CLOSED")
                .baseUrl("http://127.0.0.1:" + port + "/iam")
                .bootstrapSecret("closed-port-secret")
                .memoryStore()
                .connectTimeout(Duration.ofSeconds(2));
        try (RotationClient client = RotationClient.create(settings)) {
            ConnectionException error = assertThrows(ConnectionException.class, client::accessToken);

            assertEquals("CONNECTION", error.code());
            assertTrue(error.status().isEmpty());
        }
    }

    @Test
    void plainHttpToRemoteHostIsRejected() {
        RotationSettings settings = RotationSettings.builder()
                .entityId("FIU-REMOTE")
                .baseUrl("http://10.0.0.1/iam")
                .credentials("ops@example.in", "remote-password")
                .memoryStore();
        long started = System.nanoTime();

        ConfigException error = assertThrows(ConfigException.class, () -> RotationClient.create(settings));

        // Rejected while building the client: no request was sent, so no connect timeout ran.
        assertTrue(System.nanoTime() - started < 2_000_000_000L);
        assertTrue(error.getMessage().contains("non-loopback"), error.getMessage());
        assertFalse(error.getMessage().contains("remote-password"));
    }

    @Test
    void missingEntityIdIsConfigError() {
        RotationSettings settings = RotationSettings.builder().baseUrl(fixture.simulator.baseUrl()).memoryStore();

        ConfigException error = assertThrows(ConfigException.class, () -> RotationClient.create(settings));

        assertTrue(error.getMessage().contains("AA_ROTATION_ENTITY_ID"), error.getMessage());
    }

    @Test
    void emptyStoreWithoutCredentialsIsNotBootstrapped() {
        RotationSettings settings = RotationSettings.builder()
                .entityId("FIU-EMPTY")
                .baseUrl(fixture.simulator.baseUrl())
                .memoryStore();
        try (RotationClient client = RotationClient.create(settings)) {
            assertThrows(NotBootstrappedException.class, client::accessToken);
        }
    }

    @Test
    void wrongSecretWithoutCredentialsIsInvalidEntitySecret() {
        SimulatorFixture.Entity entity = fixture.entity(100);
        RotationSettings settings = RotationSettings.builder()
                .entityId(entity.entityId())
                .baseUrl(fixture.simulator.baseUrl())
                .bootstrapSecret("not-the-secret")
                .memoryStore();
        try (RotationClient client = RotationClient.create(settings)) {
            InvalidEntitySecretException error = assertThrows(InvalidEntitySecretException.class, client::accessToken);

            assertEquals(401, error.status().orElse(0));
        }
    }

    @Test
    void rateLimitCarriesRetryAfter() {
        SimulatorFixture.Entity entity = fixture.entity(100);
        try (RotationClient client = fixture.client(entity)) {
            client.status();
            // Longer than the client waits for, so it fails at once instead of retrying.
            fixture.simulator.injectFault("entity_token", "{\"kind\":\"rate_limit\",\"retryAfter\":3600}", null);

            RateLimitedException error = assertThrows(RateLimitedException.class, client::accessToken);

            assertEquals(Duration.ofHours(1), error.retryAfter().orElseThrow());
            assertEquals(429, error.status().orElse(0));
        }
    }

    @Test
    void everyCodeHasItsClass() {
        Map<String, Class<? extends AaRotationException>> expected = Map.ofEntries(
                Map.entry("INVALID_USER_CREDENTIALS", InvalidUserCredentialsException.class),
                Map.entry("USER_TOKEN_REJECTED", UserTokenRejectedException.class),
                Map.entry("ENTITY_NOT_PERMITTED", EntityNotPermittedException.class),
                Map.entry("INVALID_ENTITY_SECRET", InvalidEntitySecretException.class),
                Map.entry("BAD_REQUEST", BadRequestException.class),
                Map.entry("RATE_LIMITED", RateLimitedException.class),
                Map.entry("SERVER_ERROR", ServerErrorException.class),
                Map.entry("GATEWAY_ERROR", GatewayErrorException.class),
                Map.entry("REDIRECTED", RedirectedException.class),
                Map.entry("TIMEOUT", TimeoutException.class),
                Map.entry("CONNECTION", ConnectionException.class),
                Map.entry("MALFORMED_RESPONSE", MalformedResponseException.class),
                Map.entry("CONFIG", ConfigException.class),
                Map.entry("STORE", StoreException.class),
                Map.entry("STORE_CONFLICT", StoreConflictException.class),
                Map.entry("LEASE_HELD", LeaseHeldException.class),
                Map.entry("LEASE_LOST", LeaseLostException.class),
                Map.entry("NOT_BOOTSTRAPPED", NotBootstrappedException.class),
                Map.entry("ROTATION_FAILED", RotationFailedException.class),
                Map.entry("HOST", HostException.class));
        for (Map.Entry<String, Class<? extends AaRotationException>> entry : expected.entrySet()) {
            AaRotationException error =
                    AaRotationException.of(entry.getKey(), "m", 500, null, null, null, null, null, null, null);

            assertInstanceOf(entry.getValue(), error, entry.getKey());
            assertEquals(entry.getKey(), error.code());
        }
    }

    @Test
    void rotationFailureChainsItsCause() {
        AaRotationException error = AaRotationException.of(
                "ROTATION_FAILED", "rotation failed", 429, "TooMany", null, "txn-1", 7L, "reset", "RATE_LIMITED",
                "rate limited");

        RotationFailedException failed = assertInstanceOf(RotationFailedException.class, error);
        assertEquals("reset", failed.step().orElseThrow());
        RateLimitedException cause = assertInstanceOf(RateLimitedException.class, failed.getCause());
        assertEquals(Duration.ofSeconds(7), cause.retryAfter().orElseThrow());
        assertEquals(List.of("txn-1", "txn-1"), List.of(failed.txnId().orElseThrow(), cause.txnId().orElseThrow()));
    }
}
