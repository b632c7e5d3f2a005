// Each error kind reaches JavaScript as an AaRotationError with its stable
// code and the service's fields, and without any credential in it.

import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { inspect } from 'node:util'
import { after, before, describe, test } from 'node:test'

import { AaRotationError, ErrorCode, RotationClient, TokenServiceClient } from '../index.mjs'
import { USERNAME, startWorld } from './helpers.mjs'

/** Rejects with `promise`'s error, or fails the test if it resolves. */
async function failure(promise) {
  try {
    await promise
  } catch (error) {
    return error
  }
  assert.fail('expected a rejection')
}

/** Returns a loopback port with nothing listening on it. */
async function closedPort() {
  const server = createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('errors', { timeout: 60_000 }, () => {
  let world
  before(async () => {
    world = await startWorld({ expiresInDays: 10 })
  })
  after(async () => {
    await world.sim.shutdown()
  })

  test('wrong password', async () => {
    const client = new RotationClient(world.options({ password: 'wrong-password-4711' }))
    const error = await failure(client.status())

    assert.ok(error instanceof AaRotationError)
    assert.ok(error instanceof Error)
    assert.equal(error.name, 'AaRotationError')
    assert.equal(error.code, 'INVALID_USER_CREDENTIALS')
    assert.equal(error.code, ErrorCode.INVALID_USER_CREDENTIALS)
    assert.equal(error.status, 401)
    assert.equal(typeof error.errorCode, 'string')
    assert.equal(typeof error.txnId, 'string')
    assert.equal(error.transient, false)
    assert.match(error.message, /password has expired/)
    assert.ok(!inspect(error).includes('wrong-password-4711'))
  })

  test('entity not permitted', async () => {
    const { sim, entityId } = world
    sim.addUser({ username: 'other@example.in', password: 'other-password-1234', entities: [] })
    const client = new RotationClient(world.options({ username: 'other@example.in', password: 'other-password-1234' }))
    const error = await failure(client.status())

    assert.equal(error.code, 'ENTITY_NOT_PERMITTED')
    assert.equal(error.status, 403)
    assert.equal(typeof error.txnId, 'string')
    assert.ok(error.message.includes(entityId))
  })

  test('rate limited with Retry-After', async (t) => {
    t.after(() => world.sim.clearFaults())
    // 120 s is above the client's 60 s limit for waiting, so it fails at once.
    world.sim.injectFault('user_token', { kind: 'rate_limit', retryAfter: 120 })
    const client = new RotationClient(world.options())
    const error = await failure(client.status())

    assert.equal(error.code, 'RATE_LIMITED')
    assert.equal(error.status, 429)
    assert.equal(error.retryAfter, 120)
    assert.equal(error.transient, true)
  })

  test('HTML 502 from a gateway', async (t) => {
    t.after(() => world.sim.clearFaults())
    world.sim.injectFault('user_token', { kind: 'html', status: 502 })
    const client = new RotationClient(world.options({ maxAttempts: 1 }))
    const error = await failure(client.status())

    assert.equal(error.code, 'GATEWAY_ERROR')
    assert.equal(error.status, 502)
    assert.equal(error.transient, true)
    assert.equal(error.errorCode, undefined)
  })

  test('HTML 502 on reset fails the rotation', async (t) => {
    t.after(() => world.sim.clearFaults())
    const client = new RotationClient(world.options())
    await client.status()
    world.sim.injectFault('secret_reset', { kind: 'html', status: 502 })
    const error = await failure(client.rotate({ force: true }))

    assert.equal(error.code, 'ROTATION_FAILED')
    assert.equal(error.step, 'reset')
    assert.equal(error.status, 502)
    assert.ok(error.cause instanceof AaRotationError)
    assert.equal(error.cause.code, 'GATEWAY_ERROR')
    assert.equal(error.cause.status, 502)
  })

  test('closed port', async () => {
    const port = await closedPort()
    const client = new RotationClient(world.options({ baseUrl: `http://127.0.0.1:${port}/iam`, maxAttempts: 1 }))
    const error = await failure(client.status())

    assert.equal(error.code, 'CONNECTION')
    assert.equal(error.transient, true)
    assert.equal(error.status, undefined)
  })

  test('plain http to a remote host rejected at construction', () => {
    // The constructor makes no network call, so the check happens before
    // any traffic could be sent.
    const build = () => new RotationClient(world.options({ baseUrl: 'http://10.0.0.1/iam' }))
    assert.throws(build, (error) => {
      assert.ok(error instanceof AaRotationError)
      assert.equal(error.code, 'CONFIG')
      assert.match(error.message, /plain http:\/\//)
      return true
    })
    assert.throws(() => new TokenServiceClient({ baseUrl: 'http://10.0.0.1/iam' }), { code: 'CONFIG' })
  })

  test('option errors are CONFIG', () => {
    assert.throws(() => new RotationClient({ entityId: 'E', baseUrl: world.sim.baseUrl, entityID: 'typo' }), {
      code: 'CONFIG',
      message: /unknown option "entityID"/,
    })
    assert.throws(() => new RotationClient({ baseUrl: world.sim.baseUrl }), { code: 'CONFIG', message: /entityId/ })
    assert.throws(() => new RotationClient(world.options({ rotateBeforeDays: -1 })), { code: 'CONFIG' })
    assert.throws(() => new RotationClient(world.options({ rotateBeforeDays: 5000 })), {
      code: 'CONFIG',
      message: /rotate_before_days/,
    })
    assert.throws(() => new RotationClient(world.options({ window: 'weekdays' })), { code: 'CONFIG', message: /window/ })
    assert.throws(() => new RotationClient(world.options({ environment: 'staging', baseUrl: undefined })), {
      code: 'CONFIG',
      message: /sandbox, uat or production/,
    })
    assert.throws(() => new RotationClient(world.options({ username: undefined })), {
      code: 'CONFIG',
      message: /username/,
    })
    assert.throws(() => new RotationClient(world.options({ store: 's3://bucket/key' })), { code: 'CONFIG' })
    assert.throws(() => new RotationClient(world.options({ logLevel: 'verbose' })), { code: 'CONFIG' })
  })

  test('no way to a secret', async () => {
    const client = new RotationClient({ entityId: world.entityId, baseUrl: world.sim.baseUrl, store: 'memory:' })
    const error = await failure(client.accessToken())
    assert.equal(error.code, 'NOT_BOOTSTRAPPED')
  })

  test('every core code is listed', () => {
    assert.equal(Object.keys(ErrorCode).length, 20)
    for (const code of ['INVALID_USER_CREDENTIALS', 'ROTATION_FAILED', 'HOST', 'LEASE_HELD', 'STORE_CONFLICT']) {
      assert.equal(ErrorCode[code], code)
    }
    assert.ok(Object.isFrozen(ErrorCode))
  })

  test('token service errors carry fields', async () => {
    const service = new TokenServiceClient({ baseUrl: world.sim.baseUrl })
    const error = await failure(service.generateUserToken(USERNAME, 'not-the-password-99'))
    assert.equal(error.code, 'INVALID_USER_CREDENTIALS')
    assert.equal(error.status, 401)
    assert.ok(!error.message.includes('not-the-password-99'))
  })
})
