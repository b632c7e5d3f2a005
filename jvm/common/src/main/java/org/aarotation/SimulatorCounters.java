package org.aarotation;

import java.util.Map;

/**
 * A snapshot of a {@link Simulator}'s counters: requests per Token Service endpoint, including
 * those that received an injected fault instead of a real response.
 *
 * @param userToken requests to {@code /v1/user/token/generate}
 * @param secretRead requests to {@code /v1/entity/secret/read}
 * @param secretReset requests to {@code /v1/entity/secret/reset}
 * @param entityToken requests to {@code /v1/entity/token/generate}
 * @param oidcToken requests to the deprecated OpenID Connect token endpoint
 * @param resets successful Resets per entity id
 * @param fingerprints fingerprint of each entity's current secret
 */
public record SimulatorCounters(
        long userToken,
        long secretRead,
        long secretReset,
        long entityToken,
        long oidcToken,
        Map<String, Long> resets,
        Map<String, String> fingerprints) {}
