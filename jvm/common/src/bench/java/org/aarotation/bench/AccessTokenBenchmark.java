package org.aarotation.bench;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import org.aarotation.AaRotation;
import org.aarotation.RotationClient;
import org.aarotation.RotationSettings;
import org.aarotation.Simulator;

/**
 * Measures the cost per call of a cached {@code accessToken()} beside a no-op call into the
 * native library, against an in-process simulator on 127.0.0.1. A plain harness: each case is
 * warmed up, then timed in rounds, and the median and the fastest round are printed as a
 * Markdown table.
 *
 * <p>Usage: {@code java … org.aarotation.bench.AccessTokenBenchmark ARTIFACT [CALLS_PER_ROUND] [ROUNDS]}
 */
public final class AccessTokenBenchmark {
    private static volatile Object sink;

    private interface Case {
        Object run();
    }

    private record Result(String name, double medianNanos, double minNanos) {}

    public static void main(String[] args) throws Exception {
        String artifact = args.length > 0 ? args[0] : "unknown";
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 11;

        try (Simulator simulator = Simulator.start()) {
            simulator.addEntity("FIU-BENCH", "bench-secret", Instant.now().plus(100, ChronoUnit.DAYS));
            RotationSettings settings = RotationSettings.builder()
                    .entityId("FIU-BENCH")
                    .baseUrl(simulator.baseUrl())
                    .bootstrapSecret("bench-secret")
                    .memoryStore();
            try (RotationClient client = RotationClient.create(settings)) {
                client.accessToken();
                long requestsBefore = simulator.counters().entityToken();

                List<Result> results = List.of(
                        measure("no-op native call (`AaRotation.noop()`)", calls, rounds, () -> {
                            AaRotation.noop();
                            return null;
                        }),
                        measure("cached `accessToken()`", calls, rounds, client::accessToken),
                        measure("cached `accessTokenAsync().join()`", calls, rounds,
                                () -> client.accessTokenAsync().join()),
                        measure("cached `accessToken().reveal()`", calls, rounds,
                                () -> client.accessToken().reveal()));

                long requests = simulator.counters().entityToken() - requestsBefore;
                print(artifact, calls, rounds, results, requests);
            }
        }
    }

    private static Result measure(String name, int calls, int rounds, Case benchmarkCase) {
        // Warm-up: enough calls for the JIT to compile the call path.
        for (int i = 0; i < calls * 2; i++) {
            sink = benchmarkCase.run();
        }
        double[] perCall = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            long started = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                sink = benchmarkCase.run();
            }
            perCall[round] = (System.nanoTime() - started) / (double) calls;
        }
        Arrays.sort(perCall);
        return new Result(name, perCall[rounds / 2], perCall[0]);
    }

    private static void print(String artifact, int calls, int rounds, List<Result> results, long requests) {
        System.out.printf("artifact: %s; JVM: %s %s; %d calls per round, %d rounds; "
                        + "entity-token requests during the run: %d%n%n",
                artifact, System.getProperty("java.vm.name"), Runtime.version(), calls, rounds, requests);
        System.out.println("| call | median ns/call | fastest round ns/call | median / no-op median |");
        System.out.println("|---|---:|---:|---:|");
        double baseline = results.get(0).medianNanos();
        for (Result result : results) {
            System.out.printf("| %s | %.0f | %.0f | %.2f |%n",
                    result.name(), result.medianNanos(), result.minNanos(), result.medianNanos() / baseline);
        }
        System.out.println();
    }

    private AccessTokenBenchmark() {}
}
