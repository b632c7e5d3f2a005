// No secret, password or token reaches util.inspect, JSON.stringify, string
// conversion, events or the logger, over a whole rotation.

import assert from 'node:assert/strict'
import { format, inspect } from 'node:util'
import { after, describe, test } from 'node:test'

import { AccessToken, RotationClient, Secret, StoredRecord, TokenServiceClient } from '../index.mjs'
import { USERNAME, memoryStore, startWorld, storedRecord, waitFor } from './helpers.mjs'

const CANARY = 'canary-Secret-Value-42'

/** Renders `value` in every way a program might turn it into text. */
function renderings(value) {
  return [
    inspect(value),
    inspect(value, { depth: Infinity, showHidden: true }),
    inspect(value, { customInspect: false, showHidden: true }),
    inspect({ nested: { value } }, { depth: Infinity }),
    JSON.stringify(value),
    JSON.stringify({ nested: value }),
    `${value}`,
    String(value),
    'prefix ' + value,
    format('%s %o %O %j', value, value, value, value),
    value.toString(),
    JSON.stringify(Object.entries(value)),
    JSON.stringify({ ...value }),
    inspect(structuredClone({ ...value })),
  ]
}

function assertAbsent(texts, values, label) {
  for (const text of texts) {
    for (const value of values) {
      assert.ok(!text.includes(value), `${label} leaked a credential in: ${text.slice(0, 300)}`)
    }
  }
}

describe('redaction', { timeout: 60_000 }, () => {
  const worlds = []
  async function world(settings) {
    const created = await startWorld(settings)
    worlds.push(created)
    return created
  }
  after(async () => {
    for (const { sim } of worlds) await sim.shutdown()
  })

  test('Secret formats as redacted', () => {
    const secret = new Secret(CANARY)
    assertAbsent(renderings(secret), [CANARY], 'Secret')
    assert.equal(`${secret}`, '[redacted]')
    assert.equal(JSON.stringify(secret), '"[redacted]"')
    assert.equal(secret.reveal(), CANARY)
  })

  test('AccessToken formats as redacted', () => {
    const token = new AccessToken({
      value: CANARY,
      issuedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2026-01-02T00:00:00.000Z',
      secretFingerprint: 'sha256:0123456789abcdef',
    })
    assertAbsent(renderings(token), [CANARY], 'AccessToken')
    assert.match(inspect(token), /expiresAt: '2026-01-02T00:00:00.000Z'/)
    assert.equal(JSON.parse(JSON.stringify(token)).expiresAt, '2026-01-02T00:00:00.000Z')
    assert.equal(token.reveal(), CANARY)
  })

  test('StoredRecord formats as redacted', () => {
    const record = new StoredRecord('E', 3, `{"current":{"value":"${CANARY}"}}`)
    assertAbsent(renderings(record), [CANARY], 'StoredRecord')
    assert.match(inspect(record), /version: 3/)
  })

  test('client and results hold no credentials', async () => {
    const { sim, entityId, password, initialSecret, options } = await world({ expiresInDays: 10 })
    const client = new RotationClient(options({ password: new Secret(password) }))
    const outcome = await client.rotate()
    const token = await client.accessToken()
    const status = await client.status()
    const newSecret = sim.currentSecret(entityId).reveal()

    const credentials = [password, initialSecret, newSecret, token.reveal()]
    assertAbsent(
      [inspect(client), JSON.stringify(client), `${client}`, inspect(outcome), JSON.stringify(status), inspect(status, { depth: Infinity })],
      credentials,
      'client',
    )
  })

  test('token service results hold Secrets', async () => {
    const { sim, entityId, password } = await world({ expiresInDays: 10 })
    const service = new TokenServiceClient({ baseUrl: sim.baseUrl })
    const userToken = await service.generateUserToken(USERNAME, password)
    const read = await service.readSecret(userToken.token, entityId)
    const entityToken = await service.generateEntityToken(entityId, read.secret)

    assert.ok(userToken.token instanceof Secret)
    assert.ok(read.secret instanceof Secret)
    const values = [password, userToken.token.reveal(), read.secret.reveal(), entityToken.reveal()]
    assertAbsent(
      [inspect(userToken), JSON.stringify(userToken), inspect(read), JSON.stringify(read), inspect(entityToken), `${read.secret}`],
      values,
      'token service',
    )
  })

  test('logger sees no credential over a rotation', async () => {
    const { sim, entityId, password, initialSecret, options } = await world({ expiresInDays: 10 })
    const lines = []
    const capture = (level) => (message, fields) => lines.push(`${level} ${message} ${JSON.stringify(fields)}`)
    const logger = { debug: capture('debug'), info: capture('info'), warn: capture('warn'), error: capture('error') }
    const events = []
    const store = memoryStore()
    const client = new RotationClient(options({ logger, logLevel: 'trace', store }))
    client.on('event', (event) => events.push(event))

    await client.status()
    const firstToken = await client.accessToken()
    await client.rotate()
    const secondToken = await client.accessToken()
    client.invalidate(secondToken)
    const thirdToken = await client.accessToken()
    await client.recover()
    // A failed call logs too: the wrong password's error must not echo it.
    const wrong = new RotationClient(options({ password: 'wrong-password-canary-77', logger, logLevel: 'trace' }))
    await assert.rejects(wrong.status(), { code: 'INVALID_USER_CREDENTIALS' })

    await waitFor(() => lines.some((line) => line.includes('rotation event')) && events.some((e) => e.kind === 'rotated'))
    const newSecret = sim.currentSecret(entityId).reveal()
    assert.equal(storedRecord(store, entityId).current.value, newSecret)

    const credentials = [
      password,
      'wrong-password-canary-77',
      initialSecret,
      newSecret,
      firstToken.reveal(),
      secondToken.reveal(),
      thirdToken.reveal(),
      // Every token of the simulator is a JWT, and JWTs start with this.
      'eyJ',
    ]
    assert.ok(lines.length >= 10, `expected log lines, got ${lines.length}`)
    assert.ok(lines.some((line) => line.startsWith('debug ')), 'expected debug lines')
    assert.ok(lines.some((line) => line.includes(entityId)), 'expected the entity id in the logs')
    assertAbsent(lines, credentials, 'logger')
    assertAbsent(events.map((event) => JSON.stringify(event)), credentials, 'events')
  })

  test('log level filters lines', async () => {
    const { options } = await world({ expiresInDays: 10 })
    const levels = new Set()
    const record = (level) => () => levels.add(level)
    const logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') }
    const client = new RotationClient(options({ logger, logLevel: 'warn' }))
    await client.rotate()
    await client.accessToken()
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.ok(!levels.has('debug'))
    assert.ok(!levels.has('info'))
  })
})
