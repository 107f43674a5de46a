import { spawnSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'

/**
 * Tests that need something a fresh machine with only Node 22 lacks (Chromium, promtool, network namespaces)
 * run where it is present. Elsewhere they are skipped, saying what they need and how to get it, in their
 * name and once on stderr; with TASKMESH_REQUIRE_ALL=1 (CI sets it) a missing requirement fails the file
 * instead, so nothing is left out there.
 */
export const REQUIRE_ALL = process.env.TASKMESH_REQUIRE_ALL === '1'

export interface Requirement {
  /** Why it cannot run here, or undefined when it can. */
  missing?: string
  /** ' (skipped: ...)' for the suite's name when missing, else ''. */
  note: string
}

export function requirement (what: string, missing: string | undefined): Requirement {
  if (missing == null) return { note: '' }
  if (REQUIRE_ALL) throw new Error(`TASKMESH_REQUIRE_ALL=1 but ${what} cannot run here: ${missing}`)
  process.stderr.write(`skipping ${what}: ${missing}\n`)
  return { missing, note: ` (skipped: ${missing})` }
}

/** Why `file` is not an executable here, or undefined. */
export function executableMissing (file: string, install: string): string | undefined {
  try {
    accessSync(file, constants.X_OK)
    return undefined
  } catch {
    return `needs ${file}; ${install}`
  }
}

/** Why `command` is not on the PATH, or undefined. */
export function commandMissing (command: string, args: string[], install: string): string | undefined {
  const { error } = spawnSync(command, args, { stdio: 'ignore' })
  return error != null ? `needs ${command} on the PATH; ${install}` : undefined
}
