// Rotation through RotationClient against the simulator: due, not due,
// forced, dry run, the file store, the schedule and drift healing.

import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'

import { RotationClient, TokenServiceClient } from '../index.mjs'
import { fingerprint, startWorld, waitFor } from './helpers.mjs'

describe('rotation', { timeout: 60_000 }, () => {
  const worlds = []
  async function world(settings) {
    const created = await startWorld(settings)
    worlds.push(created)
    return created
  }
  after(async () => {
    for (const { sim } of worlds) await sim.shutdown()
  })

  test('due secret is rotated', async () => {
    const { sim, entityId, initialSecret, options } = await world({ expiresInDays: 10 })
    const client = new RotationClient(options())

    const before = await client.status()
    assert.equal(before.state, 'due')
    assert.equal(before.fingerprint, fingerprint(initialSecret))

    const outcome = await client.rotate()
    assert.equal(outcome.action, 'rotated')
    assert.equal(outcome.resets, 1)
    assert.equal(outcome.oldFingerprint, fingerprint(initialSecret))
    const newSecret = sim.currentSecret(entityId).reveal()
    assert.equal(outcome.fingerprint, fingerprint(newSecret))
    assert.ok(outcome.daysLeft > 179, `daysLeft ${outcome.daysLeft}`)
    assert.equal(sim.counters().resets[entityId], 1)

    const token = await client.accessToken()
    assert.equal(token.secretFingerprint, fingerprint(newSecret))

    const after = await client.status()
    assert.equal(after.state, 'healthy')
    assert.equal(after.journal, 'idle')
    assert.equal(after.lastRotation.result, 'rotated')
  })

  test('old secret stops authenticating', async () => {
    const { sim, entityId, initialSecret, options } = await world({ expiresInDays: 10 })
    const client = new RotationClient(options())
    await client.rotate()

    const service = new TokenServiceClient({ baseUrl: sim.baseUrl })
    await assert.rejects(service.generateEntityToken(entityId, initialSecret), { code: 'INVALID_ENTITY_SECRET' })
    const token = await service.generateEntityToken(entityId, sim.currentSecret(entityId))
    assert.ok(token.reveal().length > 0)
  })

  test('healthy secret is not due', async () => {
    const { sim, entityId, options } = await world({ expiresInDays: 100 })
    const client = new RotationClient(options())
    const notDue = []
    client.on('not_due', (event) => notDue.push(event))

    const outcome = await client.rotate()
    assert.equal(outcome.action, 'not_due')
    assert.equal(outcome.due, false)
    assert.equal(outcome.resets, 0)
    assert.equal(sim.counters().resets[entityId], 0)
    await waitFor(() => notDue.length === 1)
    assert.equal(notDue[0].entityId, entityId)
  })

  test('force rotates a healthy secret', async () => {
    const { sim, entityId, options } = await world({ expiresInDays: 100 })
    const client = new RotationClient(options())
    const outcome = await client.rotate({ force: true })
    assert.equal(outcome.action, 'rotated')
    assert.equal(sim.counters().resets[entityId], 1)
  })

  test('dry run changes nothing', async () => {
    const { sim, entityId, options } = await world({ expiresInDays: 10 })
    const client = new RotationClient(options())
    const outcome = await client.rotate({ dryRun: true })
    assert.equal(outcome.action, 'dry_run')
    assert.equal(outcome.due, true)
    assert.equal(sim.counters().resets[entityId], 0)
  })

  test('ensureFresh rotates a due secret', async () => {
    const { sim, entityId, options } = await world({ expiresInDays: 10 })
    const client = new RotationClient(options())
    const outcome = await client.ensureFresh()
    assert.equal(outcome.action, 'rotated')
    assert.equal(sim.counters().resets[entityId], 1)
  })

  test('rotated event carries fingerprints', async () => {
    const { sim, entityId, initialSecret, options } = await world({ expiresInDays: 10 })
    const client = new RotationClient(options())
    const rotated = []
    const all = []
    client.on('rotated', (event) => rotated.push(event))
    client.on('event', (event) => all.push(event))

    await client.rotate()
    await waitFor(() => rotated.length === 1)
    assert.equal(rotated[0].kind, 'rotated')
    assert.equal(rotated[0].oldFingerprint, fingerprint(initialSecret))
    assert.equal(rotated[0].newFingerprint, fingerprint(sim.currentSecret(entityId).reveal()))
    assert.ok(all.some((event) => event.kind === 'rotated'))
  })

  test('file store is written with mode 0600', async () => {
    const { sim, entityId, options } = await world({ expiresInDays: 10 })
    const path = join(mkdtempSync(join(tmpdir(), 'aa-rotation-node-')), 'secret.json')
    const client = new RotationClient(options({ store: `file://${path}` }))
    assert.equal(client.store, `file://${path}`)

    await client.rotate()
    assert.equal(statSync(path).mode & 0o777, 0o600)
    const document = JSON.parse(readFileSync(path, 'utf8'))
    assert.equal(document.entities[entityId].current.value, sim.currentSecret(entityId).reveal())
  })

  test('background schedule rotates a due secret', async () => {
    const { sim, entityId, options } = await world({ expiresInDays: 10 })
    const client = new RotationClient(options())
    const rotated = []
    client.on('rotated', (event) => rotated.push(event))

    await client.start()
    await waitFor(() => rotated.length === 1, 10_000)
    client.stop()
    assert.equal(sim.counters().resets[entityId], 1)
  })

  test('recover heals drift', async () => {
    const { sim, entityId, options } = await world({ expiresInDays: 100 })
    const client = new RotationClient(options())
    await client.status()

    // Someone resets the secret outside this client.
    sim.addEntity({ entityId, secret: 'changed-elsewhere-0123456789', expiresInDays: 150 })
    const healed = []
    client.on('drift_healed', (event) => healed.push(event))

    const outcome = await client.recover()
    assert.equal(outcome.action, 'drift_healed')
    assert.equal(outcome.fingerprint, fingerprint('changed-elsewhere-0123456789'))
    await waitFor(() => healed.length === 1)
  })
})

describe('rotation without a designated user', { timeout: 30_000 }, () => {
  let world
  before(async () => {
    world = await startWorld({ expiresInDays: 10 })
  })
  after(async () => {
    await world.sim.shutdown()
  })

  test('configured secret gives tokens', async () => {
    const { entityId, sim, initialSecret } = world
    const client = new RotationClient({ entityId, baseUrl: sim.baseUrl, secret: initialSecret, store: 'memory:' })
    const token = await client.accessToken()
    assert.equal(token.secretFingerprint, fingerprint(initialSecret))
    const status = await client.status()
    assert.equal(status.expirySource, 'configured')
    assert.equal(status.state, 'unknown')
  })
})
