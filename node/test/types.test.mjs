// The public typings: tsc compiles a TypeScript program that uses the
// documented API (test/types/usage.ts) against index.d.ts and native.d.ts.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'

const require = createRequire(import.meta.url)

test('typings compile', { timeout: 60_000 }, () => {
  const tsc = require.resolve('typescript/bin/tsc')
  const project = fileURLToPath(new URL('./types/tsconfig.json', import.meta.url))
  const result = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' })
  assert.equal(result.status, 0, `tsc failed:\n${result.stdout}${result.stderr}`)
})
