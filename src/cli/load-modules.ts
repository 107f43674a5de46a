import { spawnSync } from 'node:child_process'
import { access } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ValidationError } from '../errors.js'
import { customStrategy, isBuiltInStrategy, BUILT_IN_STRATEGIES, type Strategy } from '../core/strategies/index.js'
import type { TaskHandler } from '../worker/handlers.js'
import { SYNTAX_CHECK_TIMEOUT_MS } from './constants.js'

async function importFile (file: string, what: string): Promise<Record<string, unknown>> {
  const path = resolve(file)
  try {
    await access(path)
  } catch {
    throw new ValidationError([{ path: '', message: `${what} module not found` }], { file })
  }
  const url = pathToFileURL(path).href
  try {
    return await import(url) as Record<string, unknown>
  } catch (err) {
    const e = err as Error
    // a syntax error's place is not in its stack when a module is imported: Node's own check says it
    const where = e.name === 'SyntaxError' ? syntaxErrorLine(path) : lineIn(e, url)
    throw new ValidationError([{ path: where, message: `${what} module failed to load: ${e.name}: ${e.message}` }], { file })
  }
}

/** Where in the module an error thrown at load points (a throw at its top level): "line 4, column 8". */
function lineIn (err: Error, url: string): string {
  const at = new RegExp(`${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)(?::(\\d+))?`).exec(err.stack ?? '')
  return at == null ? '' : `line ${at[1]}${at[2] != null ? `, column ${at[2]}` : ''}`
}

/** The line of a module's syntax error, as `node --check` gives it ("line 4"), or '' when it says none. */
function syntaxErrorLine (path: string): string {
  const { stderr } = spawnSync(process.execPath, ['--check', path], { encoding: 'utf8', timeout: SYNTAX_CHECK_TIMEOUT_MS })
  const at = new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d+)$`, 'm').exec(stderr ?? '')
  return at == null ? '' : `line ${at[1]}`
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
