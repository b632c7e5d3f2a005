package org.aarotation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {
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
    void hundredFuturesOnColdCacheMakeOneRequest() throws Exception {
        SimulatorFixture.Entity entity = fixture.entity(100);
        try (RotationClient client = fixture.client(entity)) {
            // Store the secret first, so that only entity-token requests remain to count.
            client.status();
            long before = fixture.simulator.counters().entityToken();

            List<CompletableFuture<AccessToken>> futures = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                futures.add(client.accessTokenAsync());
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            assertEquals(1, fixture.simulator.counters().entityToken() - before);
            Set<String> values = futures.stream().map(f -> f.join().reveal()).collect(Collectors.toSet());
            assertEquals(1, values.size());
        }
    }

    @Test
    void cachedTokenMakesNoRequest() {
        SimulatorFixture.Entity entity = fixture.entity(100);
        try (RotationClient client = fixture.client(entity)) {
            String first = client.accessToken().reveal();
            long before = fixture.simulator.counters().entityToken();

            for (int i = 0; i < 1_000; i++) {
                assertEquals(first, client.accessToken().reveal());
            }

            assertEquals(before, fixture.simulator.counters().entityToken());
        }
    }
}
