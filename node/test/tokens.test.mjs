// Entity tokens: one upstream request for many concurrent callers, cached
// calls that never reach the Token Service, invalidation after a peer's 401,
// and refresh once the core's deadline passes.

import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'

import { RotationClient } from '../index.mjs'
import { startWorld } from './helpers.mjs'

describe('entity tokens', { timeout: 60_000 }, () => {
  const worlds = []
  async function world(settings) {
    const created = await startWorld(settings)
    worlds.push(created)
    return created
  }
  after(async () => {
    for (const { sim } of worlds) await sim.shutdown()
  })

  test('1000 concurrent calls make one request', async () => {
    const { sim, options } = await world({ expiresInDays: 100 })
    const client = new RotationClient(options())
    const before = sim.counters().calls

    const tokens = await Promise.all(Array.from({ length: 1000 }, () => client.accessToken()))

    const calls = sim.counters().calls
    assert.equal(calls.entityToken - before.entityToken, 1)
    assert.equal(calls.secretRead - before.secretRead, 1, 'one bootstrap Read of the empty store')
    assert.equal(new Set(tokens.map((token) => token.reveal())).size, 1)
  })

  test('cached calls stay in JavaScript', async () => {
    const { sim, options } = await world({ expiresInDays: 100 })
    const client = new RotationClient(options())
    const first = await client.accessToken()
    // The pushed copy arrives through the event loop.
    await new Promise((resolve) => setImmediate(resolve))
    const before = sim.counters().calls.entityToken

    for (let i = 0; i < 500; i++) {
      const token = await client.accessToken()
      assert.equal(token, first)
    }
    assert.equal(sim.counters().calls.entityToken, before)
  })

  test('invalidate after a 401 fetches a new token', async () => {
    const { sim, options } = await world({ expiresInDays: 100 })
    const client = new RotationClient(options())
    const first = await client.accessToken()
    const before = sim.counters().calls.entityToken

    client.invalidate(first)
    const second = await client.accessToken()
    assert.equal(sim.counters().calls.entityToken, before + 1)
    assert.notEqual(second, first)

    // A token that is not the cached one leaves the cache alone.
    client.invalidate('some-older-token')
    const third = await client.accessToken()
    assert.equal(third.reveal(), second.reveal())
    assert.equal(sim.counters().calls.entityToken, before + 1)

    // Without an argument any cached token is dropped.
    client.invalidate()
    await client.accessToken()
    assert.equal(sim.counters().calls.entityToken, before + 2)
  })

  test('token is refreshed after its deadline', async () => {
    // A 2-second token is refreshed after 80% of its life: 1.6 seconds.
    const { sim, options } = await world({ expiresInDays: 100, simulatorConfig: { entityTokenValiditySeconds: 2 } })
    const client = new RotationClient(options())
    const first = await client.accessToken()
    await new Promise((resolve) => setImmediate(resolve))
    const before = sim.counters().calls.entityToken

    assert.equal(await client.accessToken(), first)
    await new Promise((resolve) => setTimeout(resolve, 1700))
    const second = await client.accessToken()
    assert.notEqual(second, first)
    assert.equal(sim.counters().calls.entityToken, before + 1)
  })

  test('rotation replaces the cached token', async () => {
    const { sim, entityId, options } = await world({ expiresInDays: 10 })
    const client = new RotationClient(options())
    const first = await client.accessToken()
    await client.rotate()
    const newFingerprint = sim.counters().entities[entityId].fingerprint

    // No wait: the token must be the new secret's as soon as rotate() resolves.
    const second = await client.accessToken()
    assert.notEqual(second.secretFingerprint, first.secretFingerprint)
    assert.equal(second.secretFingerprint, newFingerprint)
  })

  test('closed client still hands out tokens', async () => {
    const { sim, options } = await world({ expiresInDays: 100 })
    const client = new RotationClient(options())
    await client.accessToken()
    client.close()
    const before = sim.counters().calls.entityToken
    const token = await client.accessToken()
    assert.ok(token.reveal().length > 0)
    assert.equal(sim.counters().calls.entityToken, before, 'the core still caches the token')
  })
})
