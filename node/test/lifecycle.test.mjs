// Lifetimes: a client without references is garbage-collected, because the
// functions that the addon keeps do not reference it, and a started schedule
// does not keep the process from exiting.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { after, before, describe, test } from 'node:test'

import { RotationClient } from '../index.mjs'
import { startWorld } from './helpers.mjs'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc')

describe('lifecycle', { timeout: 60_000 }, () => {
  let world
  before(async () => {
    world = await startWorld({ expiresInDays: 100 })
  })
  after(async () => {
    await world.sim.shutdown()
  })

  test('closed client refuses start and on', async () => {
    const client = new RotationClient(world.options())
    client.close()
    await assert.rejects(client.start(), (error) => error.code === 'CONFIG' && /closed/.test(error.message))
    assert.throws(() => client.on('event', () => {}), (error) => error.code === 'CONFIG' && /closed/.test(error.message))
    assert.equal(world.sim.counters().resets[world.entityId] ?? 0, 0)
  })

  test('unreferenced clients are collected', async () => {
    let collected = 0
    const registry = new FinalizationRegistry(() => {
      collected++
    })
    // In a function of its own, so that no variable of this test keeps a client.
    async function useClient() {
      const client = new RotationClient(world.options({ logger: { info() {} } }))
      client.on('event', () => {})
      await client.accessToken()
      registry.register(client, null)
    }
    for (let i = 0; i < 5; i++) await useClient()

    for (let attempt = 0; attempt < 20 && collected < 5; attempt++) {
      gc()
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    assert.equal(collected, 5)
  })

  test('started schedule lets the process exit', () => {
    const script = fileURLToPath(new URL('./fixtures/started-client.mjs', import.meta.url))
    const result = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 })
    assert.equal(result.error, undefined, 'the process did not exit within 20 s')
    assert.equal(result.status, 0, result.stderr)
    assert.match(result.stdout, /started/)
  })
})
