package org.aarotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TokenServiceClientTest {
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
    void fourCallsAgainstSimulator() {
        SimulatorFixture.Entity entity = fixture.entity(100);
        try (TokenServiceClient service = TokenServiceClient.create(fixture.simulator.baseUrl())) {
            UserToken userToken = service.generateUserToken(entity.username(), entity.password());
            assertTrue(userToken.expiresAt().isAfter(userToken.issuedAt()));

            SecretInfo read = service.readSecret(userToken, entity.entityId());
            assertEquals(entity.secret(), read.reveal());
            assertTrue(read.expiresAt().isPresent());

            SecretInfo reset = service.resetSecret(userToken, entity.entityId(), 90);
            assertNotEquals(read.fingerprint(), reset.fingerprint());
            assertEquals(fixture.simulator.currentSecret(entity.entityId()).orElseThrow(), reset.reveal());

            AccessToken token = service.generateEntityToken(entity.entityId(), reset.reveal());
            assertEquals(reset.fingerprint(), token.secretFingerprint());
            assertThrows(InvalidEntitySecretException.class,
                    () -> service.generateEntityToken(entity.entityId(), entity.secret()));
        }
    }

    @Test
    void environmentNameIsChecked() {
        assertThrows(ConfigException.class, () -> TokenServiceClient.forEnvironment("staging"));
        try (TokenServiceClient uat = TokenServiceClient.forEnvironment("uat")) {
            assertEquals("https://api.uat.sahamati.org.in/iam", uat.baseUrl());
        }
    }

    @Test
    void libraryReportsVersion() {
        assertEquals("0.1.0", AaRotation.version());
        AaRotation.noop();
    }
}
