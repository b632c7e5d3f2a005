'use strict'

// Checks the types of RotationClient options before they reach the addon,
// which checks their values (ranges, URLs, windows) exactly as the command
// line does. A misspelt option name is an error rather than silently ignored.

const { configError } = require('./errors.js')
const { Secret, revealValue } = require('./secret.js')

const STRING_OPTIONS = ['entityId', 'baseUrl', 'environment', 'username', 'window', 'auditLog']
const NUMBER_OPTIONS = [
  'rotateBeforeDays',
  'maxAgeDays',
  'jitterMinutes',
  'gracePeriodDays',
  'checkIntervalMinutes',
  'connectTimeoutSeconds',
  'requestTimeoutSeconds',
  'leaseWaitSeconds',
]
const INTEGER_OPTIONS = ['secretExpiryDays', 'maxAttempts']
const CREDENTIAL_OPTIONS = ['password', 'secret']
const HOST_OPTIONS = ['store', 'logger', 'logLevel']

const KNOWN_OPTIONS = new Set([
  ...STRING_OPTIONS,
  ...NUMBER_OPTIONS,
  ...INTEGER_OPTIONS,
  ...CREDENTIAL_OPTIONS,
  ...HOST_OPTIONS,
])

const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace']

function isAbsent(value) {
  return value === undefined || value === null
}

/** Checks the options a store, logger and log level share with fromEnv(). */
function checkHostOptions(options) {
  const { store, logger, logLevel } = options
  if (!isAbsent(store) && typeof store !== 'string' && typeof store !== 'object') {
    throw configError('store must be a URL string (file:///path, a path or memory:) or a store object')
  }
  if (!isAbsent(logger) && (typeof logger !== 'object' && typeof logger !== 'function')) {
    throw configError('logger must be an object with debug, info, warn and error methods, such as console')
  }
  if (!isAbsent(logLevel) && !LOG_LEVELS.includes(logLevel)) {
    throw configError(`logLevel must be one of ${LOG_LEVELS.join(', ')}`)
  }
}

/**
 * Splits RotationClient options into the addon's options and the host
 * objects (store object, logger) that the JavaScript layer adapts.
 */
function splitOptions(options) {
  if (options === null || typeof options !== 'object') {
    throw configError('RotationClient needs an options object with at least entityId and baseUrl or environment')
  }
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) throw configError(`unknown option ${JSON.stringify(name)}`)
  }
  if (typeof options.entityId !== 'string' || options.entityId.trim() === '') {
    throw configError('entityId is required: the entity (AA, FIU or FIP) whose secret is managed')
  }
  checkHostOptions(options)

  const nativeOptions = {}
  for (const name of STRING_OPTIONS) {
    const value = options[name]
    if (isAbsent(value)) continue
    if (typeof value !== 'string') throw configError(`${name} must be a string`)
    nativeOptions[name] = value
  }
  for (const name of NUMBER_OPTIONS) {
    const value = options[name]
    if (isAbsent(value)) continue
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw configError(`${name} must be a non-negative number`)
    }
    nativeOptions[name] = value
  }
  for (const name of INTEGER_OPTIONS) {
    const value = options[name]
    if (isAbsent(value)) continue
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw configError(`${name} must be a whole number`)
    }
    nativeOptions[name] = value
  }
  for (const name of CREDENTIAL_OPTIONS) {
    const value = options[name]
    if (isAbsent(value)) continue
    if (typeof value !== 'string' && !(value instanceof Secret)) {
      throw configError(`${name} must be a string or a Secret`)
    }
    nativeOptions[name] = revealValue(value, name)
  }
  if (typeof options.store === 'string') nativeOptions.store = options.store

  return { nativeOptions, store: typeof options.store === 'object' ? options.store : null, logger: options.logger, logLevel: options.logLevel }
}

module.exports = { splitOptions, checkHostOptions }
