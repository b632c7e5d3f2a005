// Shared set-up for the tests: a simulator with one entity and its
// designated user, and an in-memory store object written in JavaScript.

import { createHash, randomBytes } from 'node:crypto'

import { Simulator } from '../index.mjs'

export const USERNAME = 'ops@example.in'

/** Computes the fingerprint of `value`, as the core and the simulator do. */
export function fingerprint(value) {
  return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 16)}`
}

/**
 * Starts a simulator holding one entity whose secret expires in
 * `expiresInDays`, managed by a designated user. Every credential is random,
 * so that a test can search output for it.
 */
export async function startWorld({ expiresInDays = 10, simulatorConfig = undefined } = {}) {
  const sim = await Simulator.start(simulatorConfig)
  const entityId = `AA-TEST-${randomBytes(4).toString('hex')}`
  const password = `password-${randomBytes(12).toString('hex')}`
  const initialSecret = `initial-secret-${randomBytes(16).toString('hex')}`
  sim.addEntity({ entityId, secret: initialSecret, expiresInDays })
  sim.addUser({ username: USERNAME, password, entities: [entityId] })
  return {
    sim,
    entityId,
    password,
    initialSecret,
    /** Client options for this world, with `extra` on top. */
    options(extra = {}) {
      return { entityId, baseUrl: sim.baseUrl, username: USERNAME, password, store: 'memory:', ...extra }
    },
  }
}

/**
 * Creates a compare-and-set store in a Map, as an application would write
 * one. `failPut(record)` may throw to simulate an outage.
 */
export function memoryStore({ failPut = undefined } = {}) {
  const records = new Map()
  const puts = []
  return {
    records,
    puts,
    failPut,
    async get(entityId) {
      return records.get(entityId)?.text ?? null
    },
    async put(record, expectedVersion) {
      puts.push({ version: record.version, expectedVersion })
      if (this.failPut) this.failPut(record)
      const stored = records.get(record.entityId)
      if ((stored?.version ?? null) !== expectedVersion) return false
      records.set(record.entityId, { version: record.version, text: record.reveal() })
      return true
    },
    describe() {
      return 'test-memory:'
    },
  }
}

/** Returns the parsed record that a memoryStore keeps for `entityId`. */
export function storedRecord(store, entityId) {
  const entry = store.records.get(entityId)
  return entry === undefined ? undefined : JSON.parse(entry.text)
}

/** Resolves once `predicate()` is true, polling every 10 ms for up to `ms`. */
export async function waitFor(predicate, ms = 5000) {
  const deadline = Date.now() + ms
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
