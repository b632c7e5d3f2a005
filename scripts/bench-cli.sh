#!/usr/bin/env bash
# Measures the wall time of `aa-rotation status` (release build) against a
# simulator on loopback and a bootstrapped file store, prints the result and
# records it in docs/bench/cli.md. Uses hyperfine when it is installed or
# `apt-get install -y hyperfine` works, else a loop timed with `date +%s%N`.
# Usage: bash scripts/bench-cli.sh [RUNS]   (default 200 runs)
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-200}
goal_ms=20
record=docs/bench/cli.md

cargo build --release --locked -p aa-rotation-cli
binary=$PWD/target/release/aa-rotation

work=$(mktemp -d)
sim_pid=""
cleanup() {
    # Stops only the simulator this script started.
    if [ -n "$sim_pid" ]; then
        kill "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# A throwaway user and entity, known only to this simulator on loopback.
cat >"$work/seed.json" <<'EOF'
{
  "users": [{"username": "bench@fiu.example", "password": "bench-password", "entities": ["BENCH-FIU-1"]}],
  "entities": [{"entityId": "BENCH-FIU-1", "expiresInDays": 90}]
}
EOF
"$binary" sim --addr 127.0.0.1:0 --seed "$work/seed.json" >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
for _ in $(seq 100); do
    [ -s "$work/sim.out" ] && break
    sleep 0.05
done
base_url=$(head -n 1 "$work/sim.out")
case "$base_url" in
    http://127.0.0.1:*/iam) ;;
    *)
        echo "the simulator did not print its base URL; its stderr:" >&2
        cat "$work/sim.err" >&2
        exit 1
        ;;
esac

install -m 600 /dev/null "$work/password"
printf 'bench-password\n' >"$work/password"
export AA_ROTATION_BASE_URL=$base_url
export AA_ROTATION_ENTITY_ID=BENCH-FIU-1
export AA_ROTATION_USERNAME=bench@fiu.example
export AA_ROTATION_PASSWORD_FILE=$work/password
export AA_ROTATION_STORE=$work/secret.json

# The first status reads the secret from the simulator and fills the store;
# every measured run then reads the store file only.
"$binary" status >/dev/null

if ! command -v hyperfine >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get install -y hyperfine >/dev/null 2>&1 || echo "apt-get install hyperfine failed; timing with a loop" >&2
fi

if command -v hyperfine >/dev/null; then
    tool="hyperfine $(hyperfine --version | awk '{print $2}'), --warmup 10 --runs $runs -N"
    hyperfine --warmup 10 --runs "$runs" -N --export-json "$work/result.json" "$binary status" >&2
    read -r mean_ms stddev_ms median_ms min_ms max_ms < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(" ".join(f"{r[k] * 1000:.2f}" for k in ("mean", "stddev", "median", "min", "max")))
' "$work/result.json")
else
    tool="bash loop timed with date +%s%N, $runs runs after 10 warm-up runs"
    for _ in $(seq 10); do "$binary" status >/dev/null; done
    : >"$work/times"
    for _ in $(seq "$runs"); do
        start=$(date +%s%N)
        "$binary" status >/dev/null
        end=$(date +%s%N)
        echo $(((end - start) / 1000)) >>"$work/times"
    done
    read -r mean_ms stddev_ms median_ms min_ms max_ms < <(python3 -c '
import statistics, sys
t = [int(line) / 1000 for line in open(sys.argv[1])]
print(" ".join(f"{v:.2f}" for v in (statistics.mean(t), statistics.pstdev(t), statistics.median(t), min(t), max(t))))
' "$work/times")
fi

verdict=$(python3 -c "import sys; print('met' if float(sys.argv[1]) <= float(sys.argv[2]) else 'missed')" "$mean_ms" "$goal_ms")
cores=$(nproc)
model=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
today=$(date -u +%Y-%m-%d)
rustc_version=$(rustc --version)

echo "aa-rotation status: mean $mean_ms ms ± $stddev_ms ms, median $median_ms ms, min $min_ms ms, max $max_ms ms ($runs runs); goal ≤ $goal_ms ms: $verdict"

cat >"$record" <<EOF
# Benchmark: \`aa-rotation status\`

Wall time of one \`aa-rotation status\` process, from start to exit, with a
bootstrapped file store, so that the command reads the store file and makes
no request to the Token Service. Goal: at most $goal_ms ms per run.

| measure | value |
|---|---|
| mean | $mean_ms ms |
| standard deviation | $stddev_ms ms |
| median | $median_ms ms |
| min | $min_ms ms |
| max | $max_ms ms |
| goal (≤ $goal_ms ms, on the mean) | $verdict |

- Date: $today (UTC)
- Command: \`bash scripts/bench-cli.sh $runs\`, which builds \`target/release/aa-rotation\`, starts
  \`aa-rotation sim\` on 127.0.0.1, bootstraps the store with one \`aa-rotation status\`, and times
  \`aa-rotation status\` with: $tool
- Machine: $cores cores (\`nproc\`), $model (\`lscpu\`), shared with other jobs while measured
- Toolchain: $rustc_version, release profile of the workspace
EOF
echo "wrote $record"
