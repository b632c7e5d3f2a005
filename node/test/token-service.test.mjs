// The Token Service's four raw calls through TokenServiceClient.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { AccessToken, Secret, TokenServiceClient } from '../index.mjs'
import { USERNAME, fingerprint, startWorld } from './helpers.mjs'

describe('TokenServiceClient', { timeout: 30_000 }, () => {
  let world
  let service
  before(async () => {
    world = await startWorld({ expiresInDays: 10 })
    service = new TokenServiceClient({ baseUrl: world.sim.baseUrl })
  })
  after(async () => {
    await world.sim.shutdown()
  })

  test('user token, read, reset, entity token', async () => {
    const { sim, entityId, password, initialSecret } = world
    const userToken = await service.generateUserToken(USERNAME, password)
    assert.ok(userToken.token instanceof Secret)
    assert.ok(Date.parse(userToken.expiresAt) > Date.parse(userToken.issuedAt))

    const read = await service.readSecret(userToken.token, entityId)
    assert.equal(read.entityId, entityId)
    assert.equal(read.secret.reveal(), initialSecret)
    assert.equal(read.fingerprint, fingerprint(initialSecret))
    assert.equal(read.expirySource, 'epoch_millis')

    const reset = await service.resetSecret(userToken.token.reveal(), entityId, { secretExpiryDays: 90 })
    assert.notEqual(reset.secret.reveal(), initialSecret)
    assert.equal(reset.secret.reveal(), sim.currentSecret(entityId).reveal())
    const days = (Date.parse(reset.expiresAt) - Date.parse(sim.now())) / 86_400_000
    assert.ok(Math.abs(days - 90) < 0.01, `expiry ${days} days away`)

    const token = await service.generateEntityToken(entityId, reset.secret)
    assert.ok(token instanceof AccessToken)
    assert.equal(token.secretFingerprint, reset.fingerprint)
    assert.equal(sim.counters().resets[entityId], 1)
  })

  test('environment presets need no base URL', () => {
    assert.equal(new TokenServiceClient({ environment: 'uat' }).baseUrl, 'https://api.uat.sahamati.org.in/iam')
    assert.throws(() => new TokenServiceClient({}), { code: 'CONFIG', message: /baseUrl or environment/ })
    assert.throws(() => new TokenServiceClient({ base_url: 'x' }), { code: 'CONFIG', message: /unknown option/ })
  })

  test('string credentials are accepted', async () => {
    const userToken = await service.generateUserToken(USERNAME, new Secret(world.password))
    const read = await service.readSecret(userToken.token.reveal(), world.entityId)
    assert.ok(read.secret instanceof Secret)
    await assert.rejects(service.readSecret(42, world.entityId), TypeError)
  })
})
