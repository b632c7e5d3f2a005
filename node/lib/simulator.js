'use strict'

// Simulator: the Token Service simulator of this project, in process, for
// tests of applications that use aa-rotation. It listens on 127.0.0.1 only,
// on a port the system picks, and serves the four Token Service calls with a
// movable clock, counters and fault injection.

const { inspect } = require('node:util')

const native = require('../native.js')
const { callNative, configError, translate } = require('./errors.js')
const { Secret, revealValue } = require('./secret.js')

const INTERNAL = Symbol('internal')

function epochSeconds(value, name) {
  if (value === undefined || value === null) return undefined
  if (value instanceof Date) return Math.floor(value.getTime() / 1000)
  if (Number.isInteger(value)) return value
  throw configError(`${name} must be a Date or whole epoch seconds`)
}

/** An in-process Token Service simulator on 127.0.0.1. */
class Simulator {
  #native

  constructor(token, nativeSimulator) {
    if (token !== INTERNAL) throw new TypeError('use `await Simulator.start()`')
    this.#native = nativeSimulator
  }

  /**
   * Starts a simulator. `config` may set `entityTokenValiditySeconds`,
   * `userTokenValiditySeconds`, `defaultSecretExpiryDays`,
   * `maxSecretExpiryDays`, `gracePeriodDays`, `expiresOnUnit` (`'ms'` or
   * `'s'`) and `expirationDateOffsetMinutes`.
   */
  static async start(config = undefined) {
    try {
      const nativeSimulator = await native.startSimulator(config === undefined ? undefined : JSON.stringify(config))
      return new Simulator(INTERNAL, nativeSimulator)
    } catch (error) {
      throw translate(error)
    }
  }

  /** The IAM base URL, `http://127.0.0.1:PORT/iam`. */
  get baseUrl() {
    return this.#native.baseUrl
  }

  /** The root URL, under which the HTTP controls live at `/_sim/`. */
  get rootUrl() {
    return this.#native.rootUrl
  }

  /**
   * Adds a designated user who may manage `entities`. `passwordExpiresAt`
   * (a Date or epoch seconds) makes the password expire.
   */
  addUser({ username, password, entities = [], passwordExpiresAt = undefined }) {
    const user = { username, password: revealValue(password, 'password'), entities }
    const expires = epochSeconds(passwordExpiresAt, 'passwordExpiresAt')
    if (expires !== undefined) user.passwordExpiresAt = expires
    this.seed({ users: [user] })
  }

  /**
   * Adds an entity. Without `secret`, a random one is generated. The expiry
   * is `expiresAt` (a Date or epoch seconds) or `expiresInDays` from the
   * simulator's clock; with neither, the secret never expires.
   */
  addEntity({ entityId, secret = undefined, expiresAt = undefined, expiresInDays = undefined }) {
    const entity = { entityId }
    if (secret !== undefined) entity.secret = revealValue(secret, 'secret')
    const expires = epochSeconds(expiresAt, 'expiresAt')
    if (expires !== undefined) entity.expiresAt = expires
    if (expiresInDays !== undefined) entity.expiresInDays = expiresInDays
    this.seed({ entities: [entity] })
  }

  /** Adds the users and entities of a seed document, as `POST /_sim/seed` takes it. */
  seed(document) {
    callNative(() => this.#native.seed(JSON.stringify(document)))
  }

  /** Moves the simulator's clock forward by `seconds`. */
  advanceClock(seconds) {
    callNative(() => this.#native.advanceClock(seconds))
  }

  /** Returns the simulator clock's time as an RFC 3339 string. */
  now() {
    return callNative(() => this.#native.now())
  }

  /**
   * Injects `fault` into the next `count` requests to `endpoint`
   * (`'user_token'`, `'secret_read'`, `'secret_reset'`, `'entity_token'`,
   * `'oidc_token'`), or into every request until clearFaults(). A fault is an
   * object such as `{ kind: 'rate_limit', retryAfter: 120 }` or
   * `{ kind: 'html', status: 502 }`.
   */
  injectFault(endpoint, fault, count = undefined) {
    callNative(() => this.#native.injectFault(endpoint, JSON.stringify(fault), count))
  }

  /** Removes every injected fault. */
  clearFaults() {
    callNative(() => this.#native.clearFaults())
  }

  /**
   * Returns the counters: `calls` per endpoint (`userToken`, `secretRead`,
   * `secretReset`, `entityToken`, `oidcToken`), `resets` per entity id, and
   * each entity's current secret `fingerprint`.
   */
  counters() {
    return JSON.parse(callNative(() => this.#native.counters()))
  }

  /** Returns the entity's current secret as a Secret, or null for an unknown entity. */
  currentSecret(entityId) {
    const value = callNative(() => this.#native.currentSecret(entityId))
    return value === null || value === undefined ? null : new Secret(value)
  }

  /** Replaces the configuration; takes the same fields as start(). */
  setConfig(config) {
    callNative(() => this.#native.setConfig(JSON.stringify(config)))
  }

  /** Stops the simulator and waits until it no longer listens. */
  async shutdown() {
    try {
      await this.#native.shutdown()
    } catch (error) {
      throw translate(error)
    }
  }

  toJSON() {
    return { baseUrl: this.baseUrl }
  }

  [inspect.custom](depth, options, nodeInspect) {
    return `Simulator ${nodeInspect(this.toJSON(), options)}`
  }
}

module.exports = { Simulator }
