#!/usr/bin/env bash
# Builds the Python wheel (debug profile), installs it into a virtualenv and
# runs the pytest suite in python/tests against the installed wheel.
#
# Usage: scripts/test-python.sh [pytest arguments...]
# Environment: PYTHON (default python3), VENV (default target/py-venv).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
venv="${VENV:-$root/target/py-venv}"
# The script changes folders below: make a relative VENV absolute.
case "$venv" in /*) ;; *) venv="$PWD/$venv" ;; esac
wheels="$root/target/py-wheels/debug"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "maturin>=1.16,<2" "pytest>=7" "pytest-asyncio>=0.23"

rm -rf "$wheels"
(cd "$root/python" && "$venv/bin/maturin" build --out "$wheels")
wheel="$(ls "$wheels"/aa_rotation-*.whl)"
"$venv/bin/python" -m pip install --quiet --force-reinstall --no-deps "$wheel"

# Run from python/tests with importlib imports, so that the source folder
# python/aa_rotation is never imported in place of the installed wheel.
cd "$root/python/tests"
exec "$venv/bin/pytest" -p no:cacheprovider --import-mode=importlib "$@"
