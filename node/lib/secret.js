'use strict'

// Wrappers that keep secrets, passwords and tokens out of logs. The value
// lives in a private class field, which neither util.inspect, JSON.stringify,
// Object.keys, spreading nor structuredClone can see. Every string
// conversion gives "[redacted]". reveal() is the only way to the value, so a
// reviewer can find each use by name.

const { inspect } = require('node:util')

const REDACTED = '[redacted]'

/** A secret string: a client secret, password or token. */
class Secret {
  #value

  /** @param {string} value */
  constructor(value) {
    if (typeof value !== 'string') {
      throw new TypeError(`${new.target.name} wraps a string, got ${typeof value}`)
    }
    this.#value = value
  }

  /** Returns the value itself. Never log or format the result. */
  reveal() {
    return this.#value
  }

  toString() {
    return REDACTED
  }

  toJSON() {
    return REDACTED
  }

  [Symbol.toPrimitive]() {
    return REDACTED
  }

  [inspect.custom](depth, options, nodeInspect) {
    const fields = this.describe()
    if (fields === undefined) return `${this.constructor.name} ${REDACTED}`
    return `${this.constructor.name} ${nodeInspect({ value: REDACTED, ...fields }, options)}`
  }

  /** Fields safe to show beside the redacted value; none for a plain secret. */
  describe() {
    return undefined
  }
}

/** Accepts a string or a Secret and returns the string. */
function revealValue(value, name) {
  if (typeof value === 'string') return value
  if (value instanceof Secret) return value.reveal()
  throw new TypeError(`${name} must be a string or a Secret, got ${value === null ? 'null' : typeof value}`)
}

/**
 * An entity token: the bearer token for calls to other Account Aggregator
 * participants, with its lifetime. Use `token.reveal()` for the
 * Authorization header.
 */
class AccessToken extends Secret {
  constructor(data) {
    super(data.value)
    /** When the token was received, as an RFC 3339 string. */
    this.issuedAt = data.issuedAt
    /** When the token expires, as an RFC 3339 string. */
    this.expiresAt = data.expiresAt
    /** Fingerprint of the secret the token was issued for. */
    this.secretFingerprint = data.secretFingerprint
    /** The service's warning, such as the grace-period notice. */
    this.warning = data.warning ?? null
    Object.freeze(this)
  }

  describe() {
    return {
      issuedAt: this.issuedAt,
      expiresAt: this.expiresAt,
      secretFingerprint: this.secretFingerprint,
      warning: this.warning,
    }
  }

  toJSON() {
    return { value: REDACTED, ...this.describe() }
  }
}

/**
 * A record handed to a JavaScript store's put(). reveal() returns its JSON
 * text, secret values included: store that text as it is and return it from
 * get().
 */
class StoredRecord extends Secret {
  constructor(entityId, version, text) {
    super(text)
    /** The entity the record belongs to. */
    this.entityId = entityId
    /** The record's version; each write increments it. */
    this.version = version
    Object.freeze(this)
  }

  describe() {
    return { entityId: this.entityId, version: this.version }
  }

  toJSON() {
    return { value: REDACTED, ...this.describe() }
  }
}

module.exports = { Secret, AccessToken, StoredRecord, revealValue, REDACTED }
