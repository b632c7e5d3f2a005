// A secret store written in JavaScript: it receives the new secret, and when
// it fails in the middle of a rotation, the next recover() finishes the
// rotation with a secret that authenticates.

import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { after, before, describe, test } from 'node:test'

import { AaRotationError, RotationClient, StoredRecord, TokenServiceClient } from '../index.mjs'
import { fingerprint, memoryStore, startWorld, storedRecord } from './helpers.mjs'

async function failure(promise) {
  try {
    await promise
  } catch (error) {
    return error
  }
  assert.fail('expected a rejection')
}

describe('JavaScript store', { timeout: 60_000 }, () => {
  const worlds = []
  async function world(settings) {
    const created = await startWorld(settings)
    worlds.push(created)
    return created
  }
  after(async () => {
    for (const { sim } of worlds) await sim.shutdown()
  })

  test('receives the new secret', async () => {
    const { sim, entityId, initialSecret, options } = await world({ expiresInDays: 10 })
    const store = memoryStore()
    const client = new RotationClient(options({ store }))
    assert.equal(client.store, 'test-memory:')

    await client.rotate()
    const record = storedRecord(store, entityId)
    const newSecret = sim.currentSecret(entityId).reveal()
    assert.notEqual(newSecret, initialSecret)
    assert.equal(record.current.value, newSecret)
    assert.equal(record.current.fingerprint, fingerprint(newSecret))
    assert.equal(record.pending, null)
    assert.equal(record.journal.state, 'idle')

    // The first write expects no record; each later one the previous version.
    assert.equal(store.puts[0].expectedVersion, null)
    for (let i = 1; i < store.puts.length; i++) {
      assert.equal(store.puts[i].expectedVersion, store.puts[i - 1].version)
    }
  })

  test('put receives a redacted record', async () => {
    const { options } = await world({ expiresInDays: 10 })
    const seen = []
    const store = memoryStore()
    const put = store.put.bind(store)
    store.put = async (record, expectedVersion) => {
      seen.push(record)
      return put(record, expectedVersion)
    }
    const client = new RotationClient(options({ store }))
    await client.rotate()

    const record = seen.at(-1)
    assert.ok(record instanceof StoredRecord)
    assert.ok(!inspect(record).includes('"value"'))
    assert.ok(!JSON.stringify(record).includes('secret-'))
    assert.equal(JSON.parse(record.reveal()).entity_id, record.entityId)
  })

  test('failing put leaves the rotation recoverable', async () => {
    const { sim, entityId, options } = await world({ expiresInDays: 10 })
    // Fails the write that stores the new secret as pending (the persist
    // step, right after the Reset), with the secret in the error message.
    const store = memoryStore({
      failPut(record) {
        const pending = JSON.parse(record.reveal()).pending
        if (pending !== null) throw new Error(`disk full while writing ${pending.value}`)
      },
    })
    const client = new RotationClient(options({ store }))
    await client.status()

    const error = await failure(client.rotate({ force: true }))
    const newSecret = sim.currentSecret(entityId).reveal()
    assert.ok(error instanceof AaRotationError)
    assert.equal(error.code, 'ROTATION_FAILED')
    assert.equal(error.step, 'persist')
    assert.equal(error.cause.code, 'HOST')
    assert.match(error.message, /disk full/)
    assert.ok(!error.message.includes(newSecret), 'the secret from the store error reached the message')
    assert.ok(!inspect(error).includes(newSecret))
    assert.equal(sim.counters().resets[entityId], 1)
    assert.equal(storedRecord(store, entityId).journal.state, 'resetting')

    store.failPut = undefined
    const outcome = await client.recover()
    assert.equal(outcome.action, 'completed')
    assert.equal(outcome.fingerprint, fingerprint(newSecret))
    const record = storedRecord(store, entityId)
    assert.equal(record.current.value, newSecret)
    assert.equal(record.journal.state, 'idle')
    assert.equal(sim.counters().resets[entityId], 1)

    const token = await client.accessToken()
    assert.equal(token.secretFingerprint, fingerprint(newSecret))
    const service = new TokenServiceClient({ baseUrl: sim.baseUrl })
    const direct = await service.generateEntityToken(entityId, record.current.value)
    assert.ok(direct.reveal().length > 0)
  })

  test('throwing get is a HOST error', async () => {
    const { options } = await world()
    const store = memoryStore()
    store.get = async () => {
      throw new Error('vault sealed')
    }
    const client = new RotationClient(options({ store }))
    const error = await failure(client.status())
    assert.equal(error.code, 'HOST')
    assert.match(error.message, /vault sealed/)
  })

  test('non-boolean put is a HOST error', async () => {
    const { options } = await world()
    const store = memoryStore()
    store.put = async () => 'yes'
    const client = new RotationClient(options({ store }))
    const error = await failure(client.status())
    assert.equal(error.code, 'HOST')
    assert.match(error.message, /true .*or false/)
  })

  test('garbage from get is a STORE error', async () => {
    const { options } = await world()
    const store = memoryStore()
    store.get = async () => '{"not": "a record"}'
    const client = new RotationClient(options({ store }))
    const error = await failure(client.status())
    assert.equal(error.code, 'STORE')
  })

  test('synchronous store methods work', async () => {
    const { entityId, options } = await world({ expiresInDays: 10 })
    const texts = new Map()
    const store = {
      get: (id) => texts.get(id)?.text ?? null,
      put: (record, expectedVersion) => {
        if ((texts.get(record.entityId)?.version ?? null) !== expectedVersion) return false
        texts.set(record.entityId, { version: record.version, text: record.reveal() })
        return true
      },
    }
    const client = new RotationClient(options({ store }))
    const outcome = await client.rotate()
    assert.equal(outcome.action, 'rotated')
    assert.ok(texts.has(entityId))
    assert.equal(client.store, 'javascript:')
  })

  test('store object without put is CONFIG', () => {
    assert.throws(() => new RotationClient({ entityId: 'E', baseUrl: 'http://127.0.0.1:9/iam', store: { get() {} } }), {
      code: 'CONFIG',
    })
  })
})

describe('JavaScript store without a designated user', { timeout: 30_000 }, () => {
  let world
  before(async () => {
    world = await startWorld()
  })
  after(async () => {
    await world.sim.shutdown()
  })

  test('bootstraps from the configured secret', async () => {
    const { sim, entityId, initialSecret } = world
    const store = memoryStore()
    const client = new RotationClient({ entityId, baseUrl: sim.baseUrl, secret: initialSecret, store })
    await client.accessToken()
    assert.equal(storedRecord(store, entityId).current.value, initialSecret)
  })
})
