package org.aarotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;

/** Runs the shared cases in {@code tests/vectors/} through the JVM API. */
class VectorsTest {
    private static JSONObject load(String name) throws IOException {
        String folder = System.getProperty("aa.vectors.dir", "../../tests/vectors");
        return new JSONObject(Files.readString(Path.of(folder, name)));
    }

    @Test
    void expiryVectors() throws IOException {
        JSONArray cases = load("expiry.json").getJSONArray("cases");
        assertTrue(cases.length() >= 10, "cases: " + cases.length());
        for (int i = 0; i < cases.length(); i++) {
            JSONObject testCase = cases.getJSONObject(i);
            String name = testCase.getString("name");
            String body = testCase.getJSONObject("body").toString();
            JSONObject expected = testCase.getJSONObject("expected");

            if (expected.has("error")) {
                MalformedResponseException error =
                        assertThrows(MalformedResponseException.class, () -> AaRotation.parseSecretBody(body), name);
                assertTrue(error.getMessage().contains(expected.getString("error")), name + ": " + error.getMessage());
                continue;
            }
            ParsedExpiry parsed = AaRotation.parseSecretBody(body);
            assertEquals(expected.getString("source"), parsed.source(), name);
            if (expected.isNull("expiresAt")) {
                assertNull(parsed.expiresAt(), name);
            } else {
                Instant at = Instant.parse(expected.getString("expiresAt"));
                assertEquals(at, parsed.expiresAt(), name);
                assertEquals(expected.getLong("epochSeconds"), parsed.expiresAt().getEpochSecond(), name);
            }
            if (expected.has("messageKind")) {
                assertEquals(expected.getString("messageKind"), parsed.messageKind(), name);
            }
        }
    }

    @Test
    void policyVectors() throws IOException {
        JSONObject document = load("policy.json");
        Instant now = Instant.parse(document.getString("now"));
        int rotateBefore = document.getJSONObject("policy").getInt("rotateBeforeDays");
        int gracePeriod = document.getJSONObject("policy").getInt("gracePeriodDays");
        JSONArray cases = document.getJSONArray("cases");
        assertTrue(cases.length() > 0);
        for (int i = 0; i < cases.length(); i++) {
            JSONObject testCase = cases.getJSONObject(i);
            JSONObject expected = testCase.getJSONObject("expected");
            Instant expiresAt = testCase.isNull("offsetDays")
                    ? null
                    : now.plus(Duration.ofMillis(Math.round(testCase.getDouble("offsetDays") * 86_400_000)));
            String label = "offset " + testCase.opt("offsetDays") + " days";

            PolicyDecision decision = AaRotation.decideRotation(expiresAt, now, rotateBefore, gracePeriod);

            assertEquals(expected.getString("state"), decision.state().name().toLowerCase(), label);
            assertEquals(expected.getBoolean("due"), decision.due(), label);
            assertEquals(expected.getBoolean("emergency"), decision.emergency(), label);
            assertEquals(expected.getInt("checkExitCode"), decision.checkCode(), label);
            if (expected.isNull("daysLeft")) {
                assertNull(decision.daysLeft(), label);
            } else {
                assertEquals(expected.getDouble("daysLeft"), decision.daysLeft(), 1e-9, label);
            }
        }
    }
}
