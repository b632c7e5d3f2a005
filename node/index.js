'use strict'

// aa-rotation for Node.js: keeps an Account Aggregator participant's Central
// Registry client secret alive and hands out entity tokens. See index.d.ts
// for the API and ../docs/node.md for a guide.

const native = require('./native.js')
const { RotationClient } = require('./lib/client.js')
const { AaRotationError, ErrorCode, callNative, configError } = require('./lib/errors.js')
const { AccessToken, Secret, StoredRecord } = require('./lib/secret.js')
const { Simulator } = require('./lib/simulator.js')
const { TokenServiceClient } = require('./lib/token-service.js')

/**
 * Parses the expiry of a secret Read or Reset response body (text or an
 * object), as the client does. A body that cannot be parsed gives an object
 * with `error`, not an exception.
 */
function parseSecretBody(body) {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  if (typeof text !== 'string') throw configError('parseSecretBody() takes JSON text or an object')
  return callNative(() => native.parseSecretBody(text))
}

/** Runs the rotation policy on one secret; see PolicyInput in index.d.ts. */
function decidePolicy(input) {
  return callNative(() => native.decidePolicy(input))
}

module.exports = {
  RotationClient,
  TokenServiceClient,
  Simulator,
  AaRotationError,
  ErrorCode,
  Secret,
  AccessToken,
  StoredRecord,
  parseSecretBody,
  decidePolicy,
}
