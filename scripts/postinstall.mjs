// Applies patches/ (small fixes of dependencies, each explained in its diff and in the README) with
// patch-package, which a clone of this repository installs. Installed as a dependency of another project,
// taskmesh runs on those modules as published, and there is nothing to do here.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'

let bin
try {
  bin = createRequire(import.meta.url).resolve('patch-package/dist/index.js')
} catch {
  process.exit(0)
}
const { status } = spawnSync(process.execPath, [bin, '--error-on-fail'], { stdio: 'inherit' })
process.exit(status ?? 1)
