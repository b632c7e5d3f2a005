#!/usr/bin/env bash
# Runs every test: the Rust crates (core, simulator, CLI) with lints, then the
# Python, Node and JVM packages, each on its real built artifact. Prints one
# summary line at the end. Usage: bash scripts/test.sh [rust|python|node|jvm ...]
set -uo pipefail
cd "$(dirname "$0")/.."
# Plain output: no colour codes in logs that are read back for the summary.
export MAVEN_OPTS="${MAVEN_OPTS:-} -Dstyle.color=never"
export NO_COLOR=1

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(rust python node jvm)
logs=$(mktemp -d)
status=0

run_part() {
    local part=$1
    echo "==> $part"
    case "$part" in
        rust)
            cargo fmt --all --check &&
                cargo clippy --all-targets --locked -- -D warnings &&
                cargo test --locked
            ;;
        python | node | jvm) bash "scripts/test-$part.sh" ;;
        *)
            echo "unknown part $part; use rust, python, node or jvm" >&2
            return 2
            ;;
    esac
}

for part in "${parts[@]}"; do
    if ! run_part "$part" 2>&1 | tee "$logs/$part.log"; then
        echo "==> $part FAILED"
        status=1
    fi
done

# Maven may leave colour codes without a newline; the summary gets a clean line.
printf '\n'
python3 scripts/summarize_tests.py "$logs"/*.log
exit $status
