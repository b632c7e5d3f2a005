#!/usr/bin/env bash
# Benchmarks a cached accessToken() call in both JVM artifacts on a release
# build of the native library, beside a no-op native call, and prints
# Markdown tables with the machine they ran on (for docs/bench/jvm.md).
# Exits non-zero when a cached accessToken() of the Java 17 (JNA) artifact
# takes more than its goal of 5 µs.
#
# Usage: scripts/bench-jvm.sh [CALLS_PER_ROUND] [ROUNDS]
# Environment: JAVA22_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64), MVN (default mvn).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
java22_home="${JAVA22_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
mvn="${MVN:-mvn}"
calls="${1:-100000}"
rounds="${2:-11}"
goal_nanos=5000

"$root/scripts/test-jvm.sh" --release --build-only

bench_source="$root/jvm/common/src/bench/java"

# Packages one artifact against the release library and compiles the harness
# against its jar. Prints the class path to run with; Maven's output goes to
# standard error, so that nothing else reaches standard output.
prepare() {
    local project="$1" java_home="$2"
    (cd "$project" && JAVA_HOME="$java_home" "$mvn" -B -ntp -q package -DskipTests \
        "-Daa.native.dir=$target_dir/release" \
        dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile=target/runtime-classpath.txt) >&2
    local classpath
    classpath="$(ls "$project"/target/aa-rotation-*.jar):$(cat "$project/target/runtime-classpath.txt")"
    rm -rf "$project/target/bench-classes"
    "$java_home/bin/javac" -d "$project/target/bench-classes" -cp "$classpath" \
        "$bench_source/org/aarotation/bench/AccessTokenBenchmark.java"
    echo "$project/target/bench-classes:$classpath"
}

java17_home="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
kotlin_classpath="$(prepare "$root/jvm/kotlin" "$java17_home")"
java_classpath="$(prepare "$root/jvm/java" "$java22_home")"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr)"
echo "command: scripts/bench-jvm.sh $*"
echo

kotlin_output="$("$java17_home/bin/java" -Xmx1g -cp "$kotlin_classpath" org.aarotation.bench.AccessTokenBenchmark \
    "aa-rotation-kotlin (JNA)" "$calls" "$rounds")"
echo "$kotlin_output"
"$java22_home/bin/java" -Xmx1g --enable-native-access=ALL-UNNAMED -cp "$java_classpath" \
    org.aarotation.bench.AccessTokenBenchmark "aa-rotation-java (FFM)" "$calls" "$rounds"

cached="$(echo "$kotlin_output" | grep -F '| cached `accessToken()` |' | cut -d'|' -f3 | tr -d ' ')"
if [ "$cached" -gt "$goal_nanos" ]; then
    echo "error: a cached accessToken() of the JNA artifact took $cached ns, above the goal of $goal_nanos ns" >&2
    exit 1
fi
