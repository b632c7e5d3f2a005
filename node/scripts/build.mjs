// Builds the native addon with cargo into the workspace's shared target/
// folder, copies it here as aa-rotation.node, and writes native.d.ts from the
// type definitions that napi-derive emits during compilation.
//
// The napi CLI's own `napi build` always passes `--target <triple>`, which
// builds into target/<triple>/ and so compiles every dependency a second time
// beside the workspace's target/debug/. This script runs a plain
// `cargo build -p aa-rotation-node` instead and uses the CLI only as a
// library, for its type definition generator.
//
// Usage: node scripts/build.mjs [--release]

import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import { generateTypeDef } from '@napi-rs/cli'

const CRATE = 'aa-rotation-node'
const LIBRARY = 'libaa_rotation_node.so'

const release = process.argv.includes('--release')
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const workspaceDir = resolve(packageDir, '..')

if (process.platform !== 'linux') {
  // The library name below is Linux's; other systems need their own.
  console.error(`building on ${process.platform} is not supported yet; only Linux is`)
  process.exit(1)
}

const metadata = JSON.parse(
  execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], {
    cwd: workspaceDir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  }),
)
const targetDir = metadata.target_directory

// napi-derive appends the type definitions of each crate it expands to
// <folder>/<crate name> while compiling. A fixed folder keeps cargo from
// rebuilding when nothing changed. When the file is missing although the crate
// is up to date, NAPI_FORCE_BUILD_* (which napi-build watches) forces a rebuild.
const typeDefDir = join(targetDir, 'napi-type-def')
mkdirSync(typeDefDir, { recursive: true })
const env = { ...process.env, NAPI_TYPE_DEF_TMP_FOLDER: typeDefDir }
if (!existsSync(join(typeDefDir, CRATE))) {
  env.NAPI_FORCE_BUILD_AA_ROTATION_NODE = String(Date.now())
}

const cargoArgs = ['build', '-p', CRATE]
if (release) cargoArgs.push('--release')
console.log(`cargo ${cargoArgs.join(' ')}`)
execFileSync('cargo', cargoArgs, { cwd: workspaceDir, env, stdio: 'inherit' })

// Copy, then rename over the old file: a process that has the old addon
// loaded keeps its mapping instead of seeing the file change under it.
const built = join(targetDir, release ? 'release' : 'debug', LIBRARY)
const addon = join(packageDir, 'aa-rotation.node')
const partial = `${addon}.${process.pid}.tmp`
copyFileSync(built, partial)
renameSync(partial, addon)
console.log(`copied ${built} to ${addon}`)

const { dts } = await generateTypeDef({ typeDefDir, cwd: packageDir, declareBindingTarget: false })
writeFileSync(join(packageDir, 'native.d.ts'), dts)
console.log(`wrote ${join(packageDir, 'native.d.ts')}`)
