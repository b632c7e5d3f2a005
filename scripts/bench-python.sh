#!/usr/bin/env bash
# Benchmarks a cached access_token() call of the Python binding on a release
# build, beside a no-op PyO3 call and an `async def` no-op, and prints a
# Markdown table with the machine it ran on (for docs/bench/python.md).
# Exits non-zero when a ratio is above its goal of 3.
#
# Usage: scripts/bench-python.sh [--number N] [--repeat R]
# Environment: PYTHON (default python3), VENV (default target/py-venv-bench).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
venv="${VENV:-$root/target/py-venv-bench}"
# The script changes folders below: make a relative VENV absolute.
case "$venv" in /*) ;; *) venv="$PWD/$venv" ;; esac
wheels="$root/target/py-wheels/release"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "maturin>=1.16,<2"

rm -rf "$wheels"
(cd "$root/python" && "$venv/bin/maturin" build --release --out "$wheels")
"$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps "$wheels"/aa_rotation-*.whl

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr)"
echo "command: scripts/bench-python.sh $*"
echo
# Run outside python/ so that the installed wheel is imported, not the source.
cd "$root/python/bench"
exec "$venv/bin/python" -I bench_access_token.py --markdown "$@"
