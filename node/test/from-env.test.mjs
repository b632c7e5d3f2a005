// RotationClient.fromEnv() reads the AA_ROTATION_* variables of process.env,
// as the command line does.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { RotationClient } from '../index.mjs'
import { USERNAME, memoryStore, startWorld, storedRecord } from './helpers.mjs'

describe('fromEnv', { timeout: 30_000 }, () => {
  let world
  const saved = { ...process.env }
  before(async () => {
    world = await startWorld({ expiresInDays: 10 })
    process.env.AA_ROTATION_ENTITY_ID = world.entityId
    process.env.AA_ROTATION_BASE_URL = world.sim.baseUrl
    process.env.AA_ROTATION_USERNAME = USERNAME
    process.env.AA_ROTATION_PASSWORD = world.password
    process.env.AA_ROTATION_STORE = 'memory:'
    process.env.AA_ROTATION_ROTATE_BEFORE_DAYS = '45'
  })
  after(async () => {
    for (const name of Object.keys(process.env)) {
      if (name.startsWith('AA_ROTATION_') && !(name in saved)) delete process.env[name]
    }
    await world.sim.shutdown()
  })

  test('reads the variables', async () => {
    const client = RotationClient.fromEnv()
    assert.equal(client.entityId, world.entityId)
    assert.equal(client.store, 'memory:')
    const outcome = await client.rotate()
    assert.equal(outcome.action, 'rotated')
  })

  test('takes a store object and a logger', async () => {
    const store = memoryStore()
    const lines = []
    const logger = { info: (message) => lines.push(message) }
    const client = RotationClient.fromEnv({ store, logger })
    await client.status()
    assert.ok(storedRecord(store, world.entityId).current.value.length > 0)
    assert.ok(lines.length > 0)
  })

  test('bad variables are CONFIG', () => {
    process.env.AA_ROTATION_ROTATE_BEFORE_DAYS = 'soon'
    try {
      assert.throws(() => RotationClient.fromEnv(), { code: 'CONFIG', message: /AA_ROTATION_ROTATE_BEFORE_DAYS/ })
    } finally {
      process.env.AA_ROTATION_ROTATE_BEFORE_DAYS = '45'
    }
    assert.throws(() => RotationClient.fromEnv({ entityId: 'x' }), { code: 'CONFIG', message: /AA_ROTATION_/ })
  })
})
