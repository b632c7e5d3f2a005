// The package inside worker_threads: each worker loads the addon into its
// own environment, and workers that come and go leave the main thread's
// clients working.

import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { Worker } from 'node:worker_threads'

import { RotationClient } from '../index.mjs'
import { USERNAME, startWorld } from './helpers.mjs'

const WORKER = new URL('./fixtures/worker.mjs', import.meta.url)

/** Runs the worker fixture and resolves to the message it posts. */
function runWorker(world) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { world } })
    let message = null
    worker.once('message', (value) => {
      message = value
    })
    worker.once('error', reject)
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with code ${code}`))
      else if (message === null) reject(new Error('worker exited without a result'))
      else resolve(message)
    })
  })
}

describe('worker threads', { timeout: 60_000 }, () => {
  const worlds = []
  after(async () => {
    for (const { sim } of worlds) await sim.shutdown()
  })

  test('rotate and get a token in workers', async () => {
    const shared = await startWorld({ expiresInDays: 10 })
    worlds.push(shared)
    const workerWorld = { baseUrl: shared.sim.baseUrl, entityId: shared.entityId, username: USERNAME, password: shared.password }

    // One worker uses the main thread's simulator, one starts its own, and
    // the main thread works at the same time.
    const mainWorld = await startWorld({ expiresInDays: 10 })
    worlds.push(mainWorld)
    const mainClient = new RotationClient(mainWorld.options())
    const [fromShared, fromOwn, mainOutcome] = await Promise.all([
      runWorker(workerWorld),
      runWorker(null),
      mainClient.rotate(),
    ])

    assert.equal(fromShared.action, 'rotated')
    assert.equal(fromShared.fingerprint, shared.sim.counters().entities[shared.entityId].fingerprint)
    assert.equal(fromShared.tokenFingerprint, fromShared.fingerprint)
    assert.equal(fromShared.eventFingerprint, fromShared.fingerprint)

    assert.equal(fromOwn.action, 'rotated')
    assert.equal(fromOwn.tokenFingerprint, fromOwn.fingerprint)
    assert.equal(fromOwn.simulatorFingerprint, fromOwn.fingerprint)

    assert.equal(mainOutcome.action, 'rotated')
  })

  test('main thread works after workers exit', async () => {
    await runWorker(null)
    await runWorker(null)
    const world = await startWorld({ expiresInDays: 10 })
    worlds.push(world)
    const client = new RotationClient(world.options())
    assert.equal((await client.rotate()).action, 'rotated')
    assert.ok((await client.accessToken()).reveal().length > 0)
  })
})
