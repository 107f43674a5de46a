/**
 * Limits of task files and task fields, in one place: hostile input is refused by name rather than carried
 * around. The wire's own limits are in `protocol/constants.ts`.
 */

/** Bounds on task fields. */
export const LIMITS = {
  id: 512,
  label: 128,
  description: 64 * 1024,
  requires: 64,
  dependsOn: 10_000
} as const

/** The latest time a task may be told to run at (`run_at`): the end of the year 9999, as ms since the epoch. */
export const MAX_RUN_AT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999)
/** The longest a task may be delayed (`delay`), or wait between attempts (`retry_policy`'s delays). */
export const MAX_DELAY_MS = 366 * 24 * 60 * 60 * 1000

/** Task files larger than this are refused before they are read. */
export const MAX_TASK_FILE_BYTES = 64 * 1024 * 1024
/**
 * Deepest `[`/`{` nesting accepted in YAML. The YAML parser recurses per level and, thousands of levels
 * down, exhausts memory in a way no try/catch can stop, so deeper input is refused before parsing.
 */
export const MAX_FLOW_DEPTH = 100
/** YAML aliases one document may expand: more is an alias bomb. */
export const MAX_YAML_ALIASES = 1000
