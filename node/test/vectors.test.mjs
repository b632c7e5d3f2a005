// The shared cases in tests/vectors/, which the Rust, Python and JVM tests
// also run: expiry parsing of secret responses, and rotation decisions.

import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'

import { decidePolicy, parseSecretBody } from '../index.mjs'

function load(name) {
  return JSON.parse(readFileSync(new URL(`../../tests/vectors/${name}`, import.meta.url), 'utf8'))
}

describe('shared vectors', () => {
  test('expiry cases', () => {
    const { cases } = load('expiry.json')
    assert.ok(cases.length >= 10)
    for (const { name, body, expected } of cases) {
      const parsed = parseSecretBody(body)
      if (expected.error !== undefined) {
        assert.ok(parsed.error?.includes(expected.error), `${name}: error ${parsed.error}`)
        continue
      }
      assert.equal(parsed.error, undefined, `${name}: ${parsed.error}`)
      assert.equal(parsed.source, expected.source, name)
      if (expected.expiresAt === null) {
        assert.equal(parsed.expiresAt, undefined, name)
        assert.equal(parsed.epochSeconds, undefined, name)
      } else {
        assert.equal(Date.parse(parsed.expiresAt), Date.parse(expected.expiresAt), name)
        assert.equal(parsed.epochSeconds, expected.epochSeconds, name)
      }
      if (expected.messageKind !== undefined) {
        assert.equal(parsed.messageKind, expected.messageKind, name)
      }
    }
  })

  test('expiry body as text', () => {
    const { cases } = load('expiry.json')
    const parsed = parseSecretBody(JSON.stringify(cases[0].body))
    assert.equal(parsed.epochSeconds, cases[0].expected.epochSeconds)
  })

  test('policy cases', () => {
    const { now, policy, cases } = load('policy.json')
    for (const { offsetDays, expected } of cases) {
      const label = `offset ${offsetDays} days`
      const expiresAt =
        offsetDays === undefined || offsetDays === null
          ? undefined
          : new Date(Date.parse(now) + Math.round(offsetDays * 86_400_000)).toISOString()
      const decision = decidePolicy({
        now,
        expiresAt,
        rotateBeforeDays: policy.rotateBeforeDays,
        gracePeriodDays: policy.gracePeriodDays,
      })
      assert.equal(decision.state, expected.state, label)
      assert.equal(decision.due, expected.due, label)
      assert.equal(decision.emergency, expected.emergency, label)
      assert.equal(decision.checkExitCode, expected.checkExitCode, label)
      if (expected.daysLeft === null) {
        assert.equal(decision.daysLeft, undefined, label)
      } else {
        assert.ok(Math.abs(decision.daysLeft - expected.daysLeft) < 1e-9, `${label}: daysLeft ${decision.daysLeft}`)
      }
    }
  })

  test('invalid policy input is CONFIG', () => {
    assert.throws(() => decidePolicy({ now: 'yesterday' }), { code: 'CONFIG', message: /RFC 3339/ })
    assert.throws(() => decidePolicy({ now: '2026-01-01T00:00:00Z', rotateBeforeDays: -3 }), { code: 'CONFIG' })
  })
})
