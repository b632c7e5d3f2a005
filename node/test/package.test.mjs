// The package's entry points: CommonJS and ECMAScript modules export the
// same objects, and the addon loads.

import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { describe, test } from 'node:test'

import * as esm from '../index.mjs'
import esmDefault from '../index.mjs'

const require = createRequire(import.meta.url)

describe('package', () => {
  test('CommonJS and ESM agree', () => {
    const cjs = require('../index.js')
    const names = Object.keys(cjs).sort()
    assert.deepEqual(names, Object.keys(esm).filter((name) => name !== 'default').sort())
    for (const name of names) {
      assert.equal(esm[name], cjs[name], name)
    }
    assert.equal(esmDefault, cjs)
  })

  test('package exports resolve', () => {
    const resolved = require.resolve('aa-rotation')
    assert.ok(resolved.endsWith('index.js'), resolved)
    assert.equal(typeof require('aa-rotation').RotationClient, 'function')
  })
})
