#!/usr/bin/env bash
# Benchmarks a cached `await client.accessToken()` of the Node package on a
# release build, beside an `async () => value` no-op and a synchronous no-op
# call into the addon, and prints a Markdown table with the machine it ran on
# (for docs/bench/node.md). Exits non-zero when the cached call costs more
# than twice the async no-op.
#
# Usage: scripts/bench-node.sh [--calls N] [--rounds R]
# Leaves the release addon in node/; `npm run build` puts a debug one back.

set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/node"

if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
npm run build:release

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr), Node.js $(node --version)"
echo "command: scripts/bench-node.sh $*"
echo
exec node bench/access-token.mjs --markdown "$@"
