import { access } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ValidationError } from '../errors.js'
import { customStrategy, isBuiltInStrategy, BUILT_IN_STRATEGIES, type Strategy } from '../core/strategies/index.js'
import type { TaskHandler } from '../worker/handlers.js'

async function importFile (file: string, what: string): Promise<Record<string, unknown>> {
  const path = resolve(file)
  try {
    await access(path)
  } catch {
    throw new ValidationError([{ path: '', message: `${what} module not found` }], { file })
  }
  try {
    return await import(pathToFileURL(path).href) as Record<string, unknown>
  } catch (err) {
    throw new ValidationError([{ path: '', message: `${what} module failed to load: ${(err as Error).message}` }], { file })
  }
}

/**
 * `--handlers FILE`: a module exporting one function per task type (named exports, or an object as the
 * default export).
 */
export async function loadHandlers (file: string): Promise<Record<string, TaskHandler>> {
  const mod = await importFile(file, 'handlers')
  const source = mod.default != null && typeof mod.default === 'object' ? { ...mod.default as Record<string, unknown>, ...mod } : mod
  const handlers: Record<string, TaskHandler> = {}
  for (const [type, value] of Object.entries(source)) {
    if (type !== 'default' && typeof value === 'function') handlers[type] = value as TaskHandler
  }
  if (Object.keys(handlers).length === 0) {
    throw new ValidationError([{ path: '', message: 'exports no functions: export one function per task type, e.g. export async function summarize (task, { signal }) { ... }' }], { file })
  }
  return handlers
}

/**
 * `--strategy NAME` or `--strategy ./file.js`. A file's default export is either a select function
 * `(task, candidates) => worker | id | undefined` or a strategy object with `select` or `compare`.
 */
export async function resolveStrategy (value: string): Promise<string | Strategy> {
  if (isBuiltInStrategy(value)) return value
  if (!/[/\\]|\.[cm]?js$/.test(value)) {
    throw new ValidationError([{ path: '--strategy', message: `unknown strategy "${value}": use one of ${BUILT_IN_STRATEGIES.join(', ')}, or a path to a module such as ./my-strategy.js` }], { subject: 'options' })
  }
  const mod = await importFile(value, 'strategy')
  const exported = mod.default
  if (typeof exported === 'function') return customStrategy(exported as never, { name: basename(value).replace(/\.[cm]?js$/, '') })
  if (exported != null && typeof exported === 'object' && (typeof (exported as Strategy).select === 'function' || typeof (exported as Strategy).compare === 'function')) {
    const s = exported as Partial<Strategy>
    return { ...s, name: s.name ?? basename(value), skillAware: s.skillAware ?? false }
  }
  throw new ValidationError([{ path: '', message: 'the default export must be a function (task, candidates) => worker, or an object with select or compare' }], { file: value })
}
