'use strict'

// Loads the native addon that `npm run build` (scripts/build.mjs) places
// beside this file. Only the current machine's platform is built; there are
// no prebuilt per-platform packages yet.

try {
  module.exports = require('./aa-rotation.node')
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND') {
    throw new Error(
      'the aa-rotation native addon (aa-rotation.node) is missing; run `npm run build` in the package folder, which needs cargo',
      { cause: error },
    )
  }
  throw error
}
