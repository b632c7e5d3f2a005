'use strict'

// RotationClient: rotation, status and entity tokens for one entity.
//
// A cached accessToken() never calls into the addon. The core pushes each new
// entity token and its refresh deadline here (and null when the token is
// dropped), and accessToken() only compares Date.now() with that deadline.
// Before the deadline it returns the pushed token. After it, or with nothing
// pushed, it calls the addon, where the core decides whether to refresh.

const { inspect } = require('node:util')

const native = require('../native.js')
const { callNative, configError, translate } = require('./errors.js')
const { checkHostOptions, splitOptions } = require('./options.js')
const { AccessToken, revealValue } = require('./secret.js')
const { storeHooks } = require('./store.js')

/** Names accepted by on(): one per event kind, plus 'event' for all. */
const EVENT_NAMES = new Set([
  'event',
  'rotated',
  'not_due',
  'rotation_failed',
  'expiry_warning',
  'grace_period_warning',
  'drift_healed',
  'recovered',
])

/** Marks the options that fromEnv() passes to the constructor. */
const FROM_ENV = Symbol('fromEnv')

/**
 * The JavaScript copy of the core's cached entity token. Kept apart from the
 * client object so that the addon's reference to the push function does not
 * keep the client alive.
 */
class TokenSlot {
  constructor() {
    /** @type {{ token: AccessToken, promise: Promise<AccessToken>, refreshAtMs: number } | null} */
    this.current = null
    /** The value last invalidated here; a push of it may still be queued. */
    this.revoked = null
  }

  push(data) {
    if (data === null || data === undefined) {
      this.current = null
      return
    }
    if (data.value === this.revoked || typeof data.refreshAtMs !== 'number') return
    const token = new AccessToken(data)
    this.current = { token, promise: Promise.resolve(token), refreshAtMs: data.refreshAtMs }
  }
}

/** Event listeners, also kept apart from the client object. */
class Listeners {
  constructor() {
    this.byName = new Map()
  }

  add(name, listener) {
    if (!this.byName.has(name)) this.byName.set(name, [])
    this.byName.get(name).push(listener)
  }

  remove(name, listener) {
    const list = this.byName.get(name)
    if (!list) return
    const index = list.lastIndexOf(listener)
    if (index >= 0) list.splice(index, 1)
  }

  dispatch(event) {
    this.#call(event.kind, event)
    this.#call('event', event)
  }

  #call(name, event) {
    const list = this.byName.get(name)
    if (!list) return
    for (const listener of [...list]) {
      try {
        listener(event)
      } catch (error) {
        // The caller is the addon, which cannot take an exception; report it
        // the way Node reports other problems it cannot throw.
        const reason = error instanceof Error ? error.message : 'a non-Error value was thrown'
        process.emitWarning(`an aa-rotation '${name}' event listener threw: ${reason}`, 'AaRotationWarning')
      }
    }
  }
}

/** The addon's log hook for `logger`: calls logger[method](message, fields). */
function logHook(logger) {
  return (method, message, fieldsJson) => {
    const write = logger[method]
    if (typeof write !== 'function') return
    try {
      write.call(logger, message, JSON.parse(fieldsJson))
    } catch {
      // A failing logger must not break the caller; there is nowhere left
      // to report it.
    }
  }
}

/** Rotation, status and entity tokens for one entity. */
class RotationClient {
  #native
  #tokens
  #listeners
  #closed = false

  /**
   * Builds a client. Makes no network call and touches no file; a bad option
   * throws an AaRotationError with code 'CONFIG'.
   */
  constructor(options) {
    const fromEnv = options !== null && typeof options === 'object' ? options[FROM_ENV] : undefined
    const host = fromEnv ? { ...fromEnv.host, nativeOptions: null } : splitOptions(options)
    const tokens = new TokenSlot()
    const listeners = new Listeners()
    const hooks = {
      onToken: (data) => tokens.push(data),
      onEvent: (event) => listeners.dispatch(event),
    }
    if (host.store) Object.assign(hooks, storeHooks(host.store))
    if (host.logger) {
      hooks.log = logHook(host.logger)
      hooks.logLevel = host.logLevel ?? 'info'
    }

    this.#native = callNative(() =>
      fromEnv
        ? native.NativeRotationClient.fromEnv(fromEnv.variables, hooks)
        : new native.NativeRotationClient(host.nativeOptions, hooks),
    )
    this.#tokens = tokens
    this.#listeners = listeners
    if (host.logger && !this.#native.logForwarding && typeof host.logger.warn === 'function') {
      host.logger.warn('aa-rotation cannot forward its logs: another tracing subscriber was installed in this process first')
    }
  }

  /**
   * Builds a client from the `AA_ROTATION_*` variables of `process.env`, as
   * the command line reads them. `options` may add a store object, a logger
   * and a log level.
   */
  static fromEnv(options = {}) {
    if (options === null || typeof options !== 'object') throw configError('fromEnv() takes an options object')
    for (const name of Object.keys(options)) {
      if (!['store', 'logger', 'logLevel'].includes(name)) {
        throw configError(`fromEnv() takes only store, logger and logLevel; set ${JSON.stringify(name)} through its AA_ROTATION_ variable`)
      }
    }
    checkHostOptions(options)
    const variables = {}
    for (const [name, value] of Object.entries(process.env)) {
      if (name.startsWith('AA_ROTATION_') && typeof value === 'string') variables[name] = value
    }
    const host = {
      store: typeof options.store === 'object' ? options.store : null,
      logger: options.logger,
      logLevel: options.logLevel,
    }
    if (typeof options.store === 'string') variables.AA_ROTATION_STORE = options.store
    return new RotationClient({ [FROM_ENV]: { variables, host } })
  }

  /** The entity this client manages. */
  get entityId() {
    return this.#native.entityId
  }

  /** The store's description, such as `file:///var/lib/aa/secret.json`. */
  get store() {
    return this.#native.store
  }

  /**
   * Returns a valid entity token. While the core's cached token is fresh,
   * this resolves at once without calling into the addon. The core refreshes
   * at 80% of a token's life, and concurrent callers share one refresh.
   * @returns {Promise<AccessToken>}
   */
  accessToken() {
    const cached = this.#tokens.current
    if (cached !== null && Date.now() < cached.refreshAtMs) return cached.promise
    return this.#fetchToken()
  }

  async #fetchToken() {
    let data
    try {
      data = await this.#native.accessToken()
    } catch (error) {
      throw translate(error)
    }
    // The push of the same token may have arrived first; hand out one object.
    const cached = this.#tokens.current
    if (cached !== null && cached.token.reveal() === data.value) return cached.token
    return new AccessToken(data)
  }

  /**
   * Drops the JavaScript copy of the token after a rotation, which drops the
   * core's. The core pushes that change too, but through the event loop, so
   * it may arrive after rotate() resolved. Without this, an accessToken()
   * right after the rotation could return a token of the old secret.
   */
  #forgetToken() {
    this.#tokens.current = null
  }

  /**
   * Drops the cached entity token after a peer rejected it (HTTP 401). With
   * a token (AccessToken or string), drops it only if it is still the cached
   * one, so that a token refreshed in the meantime is kept.
   */
  invalidate(token) {
    const value = token === undefined || token === null ? undefined : revealValue(token, 'token')
    const cached = this.#tokens.current
    if (cached !== null && (value === undefined || cached.token.reveal() === value)) {
      this.#tokens.revoked = cached.token.reveal()
      this.#tokens.current = null
    } else if (value !== undefined) {
      this.#tokens.revoked = value
    }
    callNative(() => this.#native.invalidate(value))
  }

  /** Returns the stored secret's status, filling an empty store first. */
  async status() {
    try {
      return await this.#native.status()
    } catch (error) {
      throw translate(error)
    }
  }

  /**
   * Rotates now if the secret is due, or in any case with `force`. With
   * `dryRun`, decides and reports without any Reset.
   */
  async rotate({ force = false, dryRun = false } = {}) {
    if (typeof force !== 'boolean' || typeof dryRun !== 'boolean') throw configError('force and dryRun must be booleans')
    let outcome
    try {
      outcome = await this.#native.rotate({ force, dryRun })
    } catch (error) {
      throw translate(error)
    }
    if (outcome.action === 'rotated') this.#forgetToken()
    return outcome
  }

  /** Recovers an interrupted rotation, then rotates when the policy, window and jitter allow it. */
  async ensureFresh() {
    let outcome
    try {
      outcome = await this.#native.ensureFresh()
    } catch (error) {
      throw translate(error)
    }
    if (outcome.action === 'rotated') this.#forgetToken()
    return outcome
  }

  /** Finishes an interrupted rotation, or heals drift when the stored secret is rejected. */
  async recover() {
    try {
      return await this.#native.recover()
    } catch (error) {
      throw translate(error)
    }
  }

  /**
   * Starts the background schedule: recover once, then check the secret
   * every check interval (hourly by default) and rotate when due. The
   * schedule does not keep the process alive. Calling start() twice keeps the
   * first schedule.
   */
  async start() {
    // A schedule on a closed client would rotate with nobody listening.
    if (this.#closed) throw configError('the client is closed; create a new RotationClient to start a schedule')
    try {
      await this.#native.start()
    } catch (error) {
      throw translate(error)
    }
  }

  /** Stops the background schedule. */
  stop() {
    this.#native.stop()
  }

  /**
   * Stops the schedule and releases the listeners and logger. Afterwards
   * every accessToken() calls the addon, because no token is pushed any more.
   */
  close() {
    if (this.#closed) return
    this.#closed = true
    this.#native.close()
    this.#tokens.current = null
    // A push queued before close() may still arrive; it must not bring the
    // fast path back.
    this.#tokens.push = () => {}
    this.#listeners.byName.clear()
  }

  /**
   * Calls `listener` with each event named `name`: `'rotated'`,
   * `'not_due'`, `'rotation_failed'`, `'expiry_warning'`,
   * `'grace_period_warning'`, `'drift_healed'`, `'recovered'`, or `'event'`
   * for all of them. Events carry fingerprints, never secrets.
   */
  on(name, listener) {
    if (this.#closed) throw configError('the client is closed; events are no longer delivered')
    if (!EVENT_NAMES.has(name)) throw configError(`unknown event ${JSON.stringify(name)}; use one of ${[...EVENT_NAMES].join(', ')}`)
    if (typeof listener !== 'function') throw configError('the listener must be a function')
    this.#listeners.add(name, listener)
    return this
  }

  /** Like on(), for the next event named `name` only. */
  once(name, listener) {
    if (typeof listener !== 'function') throw configError('the listener must be a function')
    const listeners = this.#listeners
    const wrapper = (event) => {
      listeners.remove(name, wrapper)
      listener(event)
    }
    return this.on(name, wrapper)
  }

  /** Removes a listener added with on(). */
  off(name, listener) {
    this.#listeners.remove(name, listener)
    return this
  }

  toString() {
    return `RotationClient(${this.entityId})`
  }

  toJSON() {
    return { entityId: this.entityId, store: this.store }
  }

  [inspect.custom](depth, options, nodeInspect) {
    return `RotationClient ${nodeInspect(this.toJSON(), options)}`
  }
}

module.exports = { RotationClient }
