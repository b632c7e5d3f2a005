// Measures a cached `await client.accessToken()` beside two floors, in one
// run: an `async () => value` no-op (the cost of any awaited call) and a
// synchronous no-op call into the addon. Two more cases explain the result.
// An await of a held, resolved Promise is the cached call without its
// Date.now() check. An awaited call through the addon to the core's cache is
// the cached call without the JavaScript copy of the token.
//
// Usage: node bench/access-token.mjs [--calls N] [--rounds R] [--markdown]
// Exits with 1 when the cached call costs more than GOAL_RATIO times the
// async floor.

import { parseArgs } from 'node:util'

import native from '../native.js'
import { RotationClient, Simulator } from '../index.mjs'

/** The target: a cached call costs at most this many async no-ops. */
const GOAL_RATIO = 2

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '25' },
    markdown: { type: 'boolean', default: false },
  },
})
const calls = Number(values.calls)
const rounds = Number(values.rounds)

async function measureAsync(fn, count) {
  const started = process.hrtime.bigint()
  for (let i = 0; i < count; i++) await fn()
  return Number(process.hrtime.bigint() - started) / count
}

function measureSync(fn, count) {
  const started = process.hrtime.bigint()
  for (let i = 0; i < count; i++) fn()
  return Number(process.hrtime.bigint() - started) / count
}

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

const sim = await Simulator.start()
sim.addEntity({ entityId: 'AA-BENCH-1', secret: 'bench-initial-secret-0001', expiresInDays: 100 })
sim.addUser({ username: 'bench@example.in', password: 'bench-password-0001', entities: ['AA-BENCH-1'] })
const client = new RotationClient({
  entityId: 'AA-BENCH-1',
  baseUrl: sim.baseUrl,
  username: 'bench@example.in',
  password: 'bench-password-0001',
  store: 'memory:',
})
const nativeClient = new native.NativeRotationClient(
  { entityId: 'AA-BENCH-1', baseUrl: sim.baseUrl, username: 'bench@example.in', password: 'bench-password-0001', store: 'memory:' },
  { onToken: () => {}, onEvent: () => {} },
)

// Fill both caches; the pushed copy arrives through the event loop.
await client.accessToken()
await nativeClient.accessToken()
await new Promise((resolve) => setTimeout(resolve, 50))
const callsBefore = sim.counters().calls.entityToken

const value = { token: 'x' }
const asyncNoop = async () => value
const heldPromise = Promise.resolve(value)
// The addon path costs microseconds per call; fewer calls keep the run short.
const slowCalls = Math.min(calls, 20_000)
const cases = [
  { name: 'async () => value (floor)', count: calls, run: (n) => measureAsync(asyncNoop, n) },
  { name: 'synchronous no-op call into the addon', count: calls, run: (n) => measureSync(native.noop, n) },
  { name: 'cached await client.accessToken()', count: calls, run: (n) => measureAsync(() => client.accessToken(), n) },
  // What the cached call would cost without its Date.now() deadline check.
  { name: 'await of a held, resolved Promise', count: calls, run: (n) => measureAsync(() => heldPromise, n) },
  {
    name: 'await of the addon, core cache (no JavaScript copy)',
    count: slowCalls,
    run: (n) => measureAsync(() => nativeClient.accessToken(), n),
  },
]

// The cases take turns in every round, so that a slow moment of the machine
// hits all of them alike. Round 0 warms up the JIT and is discarded.
const samples = cases.map(() => [])
for (let round = 0; round <= rounds; round++) {
  for (const [index, { count, run }] of cases.entries()) {
    const ns = await run(count)
    if (round > 0) samples[index].push(ns)
  }
}

const upstream = sim.counters().calls.entityToken - callsBefore
// A ratio to the floor pairs measurements of one round, taken a moment
// apart, so its median over the rounds is steadier on a shared machine than
// the ratio of two medians.
const results = cases.map(({ name }, index) => ({
  name,
  ns: median(samples[index]),
  ratio: median(samples[index].map((ns, round) => ns / samples[0][round])),
}))
const ratio = results[2].ratio

if (values.markdown) {
  console.log(`${calls} calls per round (the addon path: ${slowCalls}), median of ${rounds} rounds`)
  console.log()
  console.log('| case | ns per call (median) | × floor (median of rounds) |')
  console.log('|---|---:|---:|')
  for (const { name, ns, ratio: times } of results) console.log(`| ${name} | ${ns.toFixed(1)} | ${times.toFixed(2)} |`)
} else {
  for (const { name, ns, ratio: times } of results) console.log(`${name.padEnd(55)} ${ns.toFixed(1).padStart(9)} ns  ${times.toFixed(2)}×`)
}
console.log()
console.log(`cached call / floor: ${ratio.toFixed(2)} (goal: at most ${GOAL_RATIO})`)
console.log(`Token Service requests during the measured rounds: ${upstream}`)

nativeClient.close()
client.close()
await sim.shutdown()
if (ratio > GOAL_RATIO) process.exitCode = 1
