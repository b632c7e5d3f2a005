#!/usr/bin/env bash
# Builds the JVM native library (bindings/jvm), generates the Kotlin and Java
# bindings with the pinned bindgens, and runs the JUnit tests of both Maven
# artifacts: jvm/kotlin (Java 17+, JNA) with the default JDK, and jvm/java
# (Java 22+, FFM) with a JDK 22 or later.
#
# Usage: scripts/test-jvm.sh [--release] [--build-only] [Maven arguments...]
#   --release     build the native library with the release profile (the benchmark uses it)
#   --build-only  build and generate, then stop before Maven
# Environment:
#   JAVA22_HOME   a JDK 22 or later (default /usr/lib/jvm/temurin-25-jdk-amd64)
#   MVN           the Maven command (default mvn)
# Exits non-zero when a build or any test fails.
set -euo pipefail

# uniffi-bindgen must be the same version as the uniffi crate in Cargo.lock,
# and uniffi-bindgen-java 0.5.x needs uniffi ^0.32.1.
UNIFFI_VERSION=0.32.2
UNIFFI_BINDGEN_JAVA_VERSION=0.5.2

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
tools="$target_dir/tools"
java22_home="${JAVA22_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
mvn="${MVN:-mvn}"

profile=debug
build_only=false
maven_args=()
for argument in "$@"; do
    case "$argument" in
        --release) profile=release ;;
        --build-only) build_only=true ;;
        *) maven_args+=("$argument") ;;
    esac
done

# Installs a pinned bindgen into target/tools unless that version is there:
# kept out of the workspace so that its features never reach other builds.
install_tool() {
    local crate="$1" version="$2" binary="$3"
    shift 3
    if "$tools/bin/$binary" --version 2>/dev/null | grep -qx "$binary $version"; then
        return
    fi
    echo "== installing $crate $version into $tools"
    cargo install --quiet --locked --root "$tools" "$crate" --version "=$version" "$@"
}

install_tool uniffi "$UNIFFI_VERSION" uniffi-bindgen --features cli --bin uniffi-bindgen
install_tool uniffi-bindgen-java "$UNIFFI_BINDGEN_JAVA_VERSION" uniffi-bindgen-java

echo "== building the native library ($profile)"
cd "$root"
if [ "$profile" = release ]; then
    cargo build --quiet --release -p aa-rotation-jvm
else
    cargo build --quiet -p aa-rotation-jvm
fi
library="$target_dir/$profile/libaa_rotation_jvm.so"

# The bindgens read bindings/jvm/uniffi.toml through `cargo metadata`, so they
# run from inside the workspace.
echo "== generating bindings"
rm -rf "$root/jvm/kotlin/target/generated-sources/uniffi" "$root/jvm/java/target/generated-sources/uniffi"
"$tools/bin/uniffi-bindgen" generate --library "$library" --language kotlin --no-format \
    --out-dir "$root/jvm/kotlin/target/generated-sources/uniffi" >/dev/null
"$tools/bin/uniffi-bindgen-java" generate --out-dir "$root/jvm/java/target/generated-sources/uniffi" \
    "$library" >/dev/null

if [ "$build_only" = true ]; then
    exit 0
fi

echo "== Rust unit tests of aa-rotation-jvm"
cargo test --quiet -p aa-rotation-jvm

if [ ! -x "$java22_home/bin/java" ]; then
    echo "error: no JDK at $java22_home; set JAVA22_HOME to a JDK 22 or later" >&2
    exit 1
fi

status=0
echo "== jvm/kotlin (Java 17+, JNA) with $(java -version 2>&1 | head -n1)"
(cd "$root/jvm/kotlin" && "$mvn" -B -ntp test "-Daa.native.dir=$target_dir/$profile" "${maven_args[@]}") || status=1

echo "== jvm/java (Java 22+, FFM) with $("$java22_home/bin/java" -version 2>&1 | head -n1)"
(cd "$root/jvm/java" && JAVA_HOME="$java22_home" "$mvn" -B -ntp test "-Daa.native.dir=$target_dir/$profile" \
    "${maven_args[@]}") || status=1

exit "$status"
