'use strict'

// AaRotationError and the translation of the addon's error payloads into it.
// The addon throws errors whose message is a marker and a JSON payload
// (bindings/node/src/errors.rs); users only ever see the translated error.

const native = require('../native.js')

const PAYLOAD_MARKER = '\u0001aa-rotation-error:'

const OPTIONAL_FIELDS = ['status', 'errorCode', 'errorMsg', 'txnId', 'retryAfter', 'step']

/** Every code that `AaRotationError.code` can take, keyed by itself. */
const ErrorCode = Object.freeze(Object.fromEntries(native.errorCodes().map((code) => [code, code])))

/**
 * An error of aa-rotation. `code` is stable (`'INVALID_USER_CREDENTIALS'`,
 * `'RATE_LIMITED'`, …). For `'ROTATION_FAILED'`, `step` names the failed
 * step and `cause` is the innermost error; the service fields (`status`,
 * `errorCode`, `errorMsg`, `txnId`, `retryAfter`) are the innermost error's.
 * The message never contains a secret, password or token.
 */
class AaRotationError extends Error {
  constructor(message, fields = {}, options = undefined) {
    super(message, options)
    this.name = 'AaRotationError'
    /** The stable error code. */
    this.code = fields.code ?? ErrorCode.CONFIG
    /** True when a later attempt may succeed (429, 5xx, timeouts). */
    this.transient = fields.transient ?? false
    /** True when the request may have taken effect (timeout, lost connection). */
    this.outcomeUnknown = fields.outcomeUnknown ?? false
    // Only the fields an error has are set, so that util.inspect shows no
    // list of undefined ones; index.d.ts documents each.
    for (const name of OPTIONAL_FIELDS) {
      if (fields[name] !== undefined && fields[name] !== null) this[name] = fields[name]
    }
  }
}

function fromPayload(payload) {
  const options = payload.cause ? { cause: fromPayload(payload.cause) } : undefined
  const error = new AaRotationError(payload.message, payload, options)
  // Start the stack at the API method that failed, not in this module.
  Error.captureStackTrace(error, translate)
  if (options) Error.captureStackTrace(options.cause, translate)
  return error
}

/**
 * Returns the AaRotationError that `error` from the addon stands for, or
 * `error` itself when it carries no payload (a TypeError for an argument of
 * the wrong type, say).
 */
function translate(error) {
  if (error instanceof Error && typeof error.message === 'string' && error.message.startsWith(PAYLOAD_MARKER)) {
    try {
      return fromPayload(JSON.parse(error.message.slice(PAYLOAD_MARKER.length)))
    } catch {
      return new AaRotationError('the addon returned an error that could not be decoded', { code: ErrorCode.HOST })
    }
  }
  return error
}

/** Calls `action` and rethrows its error translated. */
function callNative(action) {
  try {
    return action()
  } catch (error) {
    throw translate(error)
  }
}

/** Creates a `CONFIG` error for an invalid option or argument. */
function configError(message) {
  return new AaRotationError(`invalid configuration: ${message}`, { code: ErrorCode.CONFIG })
}

module.exports = { AaRotationError, ErrorCode, translate, callNative, configError }
