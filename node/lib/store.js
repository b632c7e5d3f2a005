'use strict'

// Adapts a store object written in JavaScript to the addon's store hooks.
// The hooks never throw. A failure resolves to { error: message }, which the
// addon turns into an AaRotationError with code 'HOST' after removing every
// secret value that the store has carried from the message.

const { configError } = require('./errors.js')
const { StoredRecord } = require('./secret.js')

function messageOf(error) {
  try {
    return error instanceof Error ? error.message : String(error)
  } catch {
    return 'a value that cannot be converted to text was thrown'
  }
}

/** Returns the record text that get() resolved to, or undefined for none. */
function recordText(value) {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  if (value instanceof StoredRecord) return value.reveal()
  throw new TypeError('get() must resolve to the text that put() received (record.reveal()), the record itself, or null')
}

/** Builds the addon's store hooks for `store`, an object with get and put. */
function storeHooks(store) {
  if (typeof store.get !== 'function' || typeof store.put !== 'function') {
    throw configError('a store object needs async get(entityId) and put(record, expectedVersion) methods')
  }
  return {
    storeGet: async (entityId) => {
      try {
        return { text: recordText(await store.get(entityId)) }
      } catch (error) {
        return { error: messageOf(error) }
      }
    },
    storePut: async (text, expectedVersion, entityId, version) => {
      try {
        const stored = await store.put(new StoredRecord(entityId, version, text), expectedVersion)
        if (typeof stored !== 'boolean') {
          return { error: 'put() must resolve to true (stored) or false (the version did not match)' }
        }
        return { stored }
      } catch (error) {
        return { error: messageOf(error) }
      }
    },
    storeDescription: typeof store.describe === 'function' ? String(store.describe()) : 'javascript:',
  }
}

module.exports = { storeHooks }
