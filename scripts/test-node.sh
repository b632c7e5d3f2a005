#!/usr/bin/env bash
# Builds the Node package (node/) and runs its tests: the addon's Rust unit
# tests, then `node --test` against the in-process Token Service simulator on
# 127.0.0.1. Works on a fresh clone; needs cargo, Node.js 20.17 or later (for
# the napi CLI used by the build) and npm. Exits non-zero on any failure.
#
# Usage: scripts/test-node.sh

set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

for tool in cargo node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "test-node.sh: $tool is not installed; it is needed to build and test the Node package" >&2
    exit 1
  fi
done

echo "== cargo test -p aa-rotation-node"
(cd "$root" && cargo test -p aa-rotation-node)

cd "$root/node"
echo "== npm ci"
npm ci --no-audit --no-fund
echo "== npm run build"
npm run build
echo "== npm test"
npm test
