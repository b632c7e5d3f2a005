'use strict'

// TokenServiceClient: the Token Service's four calls, for tools and
// diagnostics. Secret values in results are Secret objects.

const { inspect } = require('node:util')

const native = require('../native.js')
const { callNative, configError, translate } = require('./errors.js')
const { AccessToken, Secret, revealValue } = require('./secret.js')

const OPTIONS = ['baseUrl', 'environment', 'connectTimeoutSeconds', 'requestTimeoutSeconds', 'maxAttempts']

function secretInfo(data) {
  return {
    entityId: data.entityId,
    secret: new Secret(data.value),
    fingerprint: data.fingerprint,
    expiresAt: data.expiresAt ?? null,
    expirySource: data.expirySource,
    message: data.message ?? null,
    txnId: data.txnId ?? null,
  }
}

/** The Token Service's four calls, one request each (idempotent ones retried). */
class TokenServiceClient {
  #native

  /** Builds a client for `baseUrl` or `environment`. Makes no network call. */
  constructor(options) {
    if (options === null || typeof options !== 'object') throw configError('TokenServiceClient needs { baseUrl } or { environment }')
    for (const name of Object.keys(options)) {
      if (!OPTIONS.includes(name)) throw configError(`unknown option ${JSON.stringify(name)}`)
    }
    this.#native = callNative(() => new native.NativeTokenServiceClient({ ...options }))
  }

  /** The IAM base URL. */
  get baseUrl() {
    return this.#native.baseUrl
  }

  /** Requests a user token for the designated user. */
  async generateUserToken(username, password) {
    if (typeof username !== 'string') throw configError('username must be a string')
    const passwordValue = revealValue(password, 'password')
    let data
    try {
      data = await this.#native.generateUserToken(username, passwordValue)
    } catch (error) {
      throw translate(error)
    }
    return { token: new Secret(data.value), issuedAt: data.issuedAt, expiresAt: data.expiresAt }
  }

  /** Reads the entity's current secret with a user token. */
  async readSecret(userToken, entityId) {
    const token = revealValue(userToken, 'userToken')
    try {
      return secretInfo(await this.#native.readSecret(token, entityId))
    } catch (error) {
      throw translate(error)
    }
  }

  /**
   * Resets the entity's secret and returns the new one. The old secret stops
   * working at once, and this call is never retried: after a timeout, read
   * the secret to learn whether the reset happened.
   */
  async resetSecret(userToken, entityId, { secretExpiryDays } = {}) {
    const token = revealValue(userToken, 'userToken')
    try {
      return secretInfo(await this.#native.resetSecret(token, entityId, secretExpiryDays))
    } catch (error) {
      throw translate(error)
    }
  }

  /** Requests an entity token with the entity id and secret. */
  async generateEntityToken(entityId, secret) {
    const secretValue = revealValue(secret, 'secret')
    try {
      return new AccessToken(await this.#native.generateEntityToken(entityId, secretValue))
    } catch (error) {
      throw translate(error)
    }
  }

  toJSON() {
    return { baseUrl: this.baseUrl }
  }

  [inspect.custom](depth, options, nodeInspect) {
    return `TokenServiceClient ${nodeInspect(this.toJSON(), options)}`
  }
}

module.exports = { TokenServiceClient }
