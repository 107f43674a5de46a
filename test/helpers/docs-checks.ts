import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { NETWORK_EVENT_NAMES } from '../../src/admin/events.js'
import { buildProgram } from '../../src/cli/main.js'
import { WORKER_EVENT_NAMES } from '../../src/worker/events.js'
import { WEBHOOK_EVENTS } from '../../src/webhooks/targets.js'
import { ROOT, anchorsOf, cliOptions, exportedNames, filesUnder, httpRoutes, pathRoots, resolvePath, scriptOptions, type Claim, type Page } from './docs.js'

/**
 * The checks of the docs check, each a function from a page to what is wrong on it ("page:line: text
 * (why)"). What they compare against is read from the sources once.
 */

const NAMES = exportedNames()
export const PROGRAM = cliOptions(buildProgram())
const ALL_CLI_OPTIONS = new Set([...PROGRAM.values()].flatMap(s => [...s]))
const BENCH_OPTIONS = scriptOptions('scripts/bench.ts')
export const ROUTES = httpRoutes()
const ROOTS = pathRoots()
export const EVENTS = new Set<string>([...NETWORK_EVENT_NAMES, ...WORKER_EVENT_NAMES, ...WEBHOOK_EVENTS])
export const MCP_TOOLS = new Set(['server.ts', 'operator-tools.ts'].flatMap(file => [...readFileSync(join(ROOT, 'src/mcp', file), 'utf8').matchAll(/registerTool\('(\w+)'/g)].map(m => m[1]!)))
/** libp2p's own errors, which pages name among the errors a caller may meet. */
const LIBP2P_NAMES = new Set(Object.keys(await import('@libp2p/interface')))
const SCRIPTS = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts)
const INDEX = readFileSync(join(ROOT, 'src/index.ts'), 'utf8')

/** Names of the language and platform a page may mention in backticks, which no source file exports. */
const PLATFORM = new Set(['AbortSignal', 'AbortController', 'Promise', 'Error', 'CustomEvent', 'EventTarget', 'JSON', 'Map', 'Set', 'Date', 'Uint8Array', 'SIGHUP', 'SIGTERM', 'SIGINT', 'SIGKILL', 'PATH', 'DEBUG', 'PYTHONPATH', 'Host', 'Origin', 'Authorization', 'Content-Type', 'Sec-Fetch-Site', 'NaN', 'Infinity'])

/** Programs a shell example may run besides `taskmesh` and npm. */
const PROGRAMS = new Set(['curl', 'createdb', 'createuser', 'openssl', 'kill', 'python3', 'git', 'apt-get', 'psql', 'cat', 'jq', 'ssh', 'sudo', 'npx'])

const where = (c: Claim, why?: string): string => `${c.page}:${c.line}: ${c.text}${why != null ? ` (${why})` : ''}`
const fileText = (file: string): string => readFileSync(join(ROOT, file), 'utf8')
const hasWord = (text: string, word: string): boolean => new RegExp(`\\b${word}\\b`).test(text)

/** A path written on a page: starts with one of the repository's directories or the areas of src/. */
function isPath (span: string): boolean {
  if (/[\s<>…]/.test(span) || span.includes('://')) return false
  return span.includes('/') && ROOTS.has(span.split('/')[0]!)
}

export function missingFiles (page: Page): string[] {
  return page.spans.filter(s => isPath(s.text) && resolvePath(page.path, s.text) == null).map(s => where(s, 'no such file'))
}

export function brokenLinks (page: Page): string[] {
  const broken: string[] = []
  for (const link of page.links) {
    if (/^[a-z]+:/.test(link.text)) continue
    const [file, hash] = link.text.split('#')
    const target = file === '' ? page.path : resolvePath(page.path, file!)
    if (target == null) broken.push(where(link, 'no such file'))
    else if (hash != null && target.endsWith('.md') && !anchorsOf(fileText(target)).has(hash)) broken.push(where(link, `no heading for #${hash} in ${target}`))
  }
  return broken
}

/** `AdminService`, `FlushCycle.recorded`, `MAX_JSON_DEPTH`: exported by a source file, with the member named. */
export function unknownNames (page: Page): string[] {
  const missing: string[] = []
  for (const span of page.spans) {
    const m = /^([A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*|[A-Z][A-Z0-9]*_[A-Z0-9_]+)(?:\.([a-zA-Z_]\w*))?(?:\(\))?$/.exec(span.text)
    if (m == null || PLATFORM.has(m[1]!) || LIBP2P_NAMES.has(m[1]!)) continue
    const file = NAMES.get(m[1]!)
    if (file == null) {
      // a constant of the CI or the environment (TASKMESH_REQUIRE_ALL) is found where it is read
      if (/^[A-Z0-9_]+$/.test(m[1]!) && mentioned(m[1]!)) continue
      missing.push(where(span, `no source exports ${m[1]}`))
    } else if (m[2] != null && !hasWord(fileText(file), m[2])) {
      missing.push(where(span, `${m[1]} in ${file} has no ${m[2]}`))
    }
  }
  return missing
}

/** "`deliver` (`admin/delivery.ts`)" and "`deliver` in `admin/delivery.ts`": the name is in that file. */
export function misplacedNames (page: Page): string[] {
  const wrong: string[] = []
  for (const m of page.text.matchAll(/`([A-Za-z_][\w.]*)(?:\(\))?`,?\s+(?:\(|in\s+)`([\w./-]+\.(?:ts|py|mjs))`/g)) {
    const file = resolvePath(page.path, m[2]!)
    const name = m[1]!.split('.').at(-1)!
    const line = page.text.slice(0, m.index).split('\n').length
    if (file != null && !hasWord(fileText(file), name)) wrong.push(where({ page: page.path, line, text: m[0].replace(/\s+/g, ' ') }, `${name} is not in ${file}`))
  }
  return wrong
}

/** `--max-workers` is an option of some command (or of the bench); `taskmesh admin --http 8080` is checked as a whole. */
export function unknownOptions (page: Page): string[] {
  const wrong: string[] = []
  const known = (o: string): boolean => ALL_CLI_OPTIONS.has(o) || ALL_CLI_OPTIONS.has(o.replace(/^--no-/, '--')) || BENCH_OPTIONS.has(o) || o === '--help' || o === '--version'
  for (const span of page.spans) {
    if (/^(taskmesh|npm|npx) /.test(span.text)) {
      const problem = shellProblem(span.text)
      if (problem != null) wrong.push(where(span, problem))
      continue
    }
    if (/^[a-z][\w-]* /.test(span.text)) continue // another program's command line
    for (const m of span.text.matchAll(/(?:^|\s)(--[a-z][\w-]*?)(-[A-Z]\w*)?(?=$|[\s=])/g)) {
      // `--alert-X` names a family of options
      const ok = m[2] != null ? [...ALL_CLI_OPTIONS].some(o => o.startsWith(`${m[1]!}-`)) : known(m[1]!)
      if (!ok) wrong.push(where(span, `${m[1]!}${m[2] ?? ''} is no option`))
    }
  }
  return wrong
}

export function unknownRoutes (page: Page): string[] {
  return routesNamed(page).filter(s => !s.text.includes('…') && !ROUTES.has(s.text.replace(/\?.*$/, ''))).map(s => where(s, 'not served by http/server.ts'))
}

export function routesNamed (page: Page): Claim[] {
  return page.spans.filter(s => /^(GET|POST|PUT|PATCH|DELETE) \//.test(s.text))
}

export function unknownEventsAndTools (page: Page): string[] {
  const wrong: string[] = []
  for (const span of page.spans) {
    if (/^(task|worker|journal|alert|peer|frame|assigning|admin):[a-z-]+$/.test(span.text) && !EVENTS.has(span.text)) wrong.push(where(span, 'no such event'))
    if (/^(get|list|cancel|retry|claim|handle|distribute|update|unregister|pause|resume|purge|add|remove)_[a-z_]+$/.test(span.text) && span.text !== 'retry_policy' && !MCP_TOOLS.has(span.text)) wrong.push(where(span, 'no such MCP tool'))
  }
  return wrong
}

export function wrongCommands (page: Page): string[] {
  return page.commands.flatMap(cmd => {
    const problem = shellProblem(cmd.text)
    return problem != null ? [where(cmd, problem)] : []
  })
}

/** JSON and YAML blocks parse; a TypeScript block imports from 'taskmesh' only what `src/index.ts` exports. */
export function brokenExamples (page: Page): string[] {
  const wrong: string[] = []
  for (const b of page.blocks) {
    try {
      // a block may hold one JSON value or several, one after the other (JSON lines, each maybe on several lines)
      if (b.lang === 'json') for (const value of b.text.split(/\n(?=[[{])/)) JSON.parse(value)
      if (b.lang === 'yaml') parseYaml(b.text)
    } catch (err) {
      wrong.push(where({ ...b, text: `${b.lang} block` }, (err as Error).message))
    }
    if (b.lang !== 'ts') continue
    for (const m of b.text.matchAll(/import \{([^}]+)\} from 'taskmesh'/g)) {
      for (const name of m[1]!.split(',').map(n => n.replace(/^\s*type\s+/, '').trim()).filter(Boolean)) {
        if (!hasWord(INDEX, name)) wrong.push(where({ ...b, text: name }, 'not exported by src/index.ts'))
      }
    }
  }
  return wrong
}

/** The CI script and every source, as one text: read once, for names pages write in capitals. */
let sources: string | undefined

/** Whether a name (an environment variable, a constant) is written in the CI script or the sources. */
function mentioned (name: string): boolean {
  sources ??= ['.ci/run', ...['src', 'test', 'scripts', 'python'].flatMap(dir => ['.ts', '.py', '.mjs'].flatMap(ext => filesUnder(dir, ext)))].map(fileText).join('\n')
  return sources.includes(name)
}

/** What is wrong with one shell command, or undefined. */
export function shellProblem (line: string): string | undefined {
  // VAR=value before a command, and a command inside TOKEN=$(…)
  let command = line.replace(/^(\w+=\$\()(.*)\)$/, '$2')
  // VAR=value before a command, the value maybe a $(…) with spaces inside
  for (let before = ''; before !== command;) {
    before = command
    command = command.replace(/^\w+=(\$\([^)]*\)\S*|\S+)\s+/, '')
  }
  let words = command.split(/\s+/)
  if (words[0] === 'npx' && words[1] === 'taskmesh') words = words.slice(1)
  const [program, ...args] = words
  if (program === 'taskmesh') return taskmeshProblem(args)
  if (program === 'npm') return npmProblem(args)
  if (program != null && PROGRAMS.has(program)) return undefined
  return `${program} is not taskmesh, npm or a known program`
}

function taskmeshProblem (args: string[]): string | undefined {
  if (args.length === 0 || args[0] === '--help' || args[0] === '--version') return undefined
  const command = args[0]!
  const sub = args[1] != null && PROGRAM.has(`${command} ${args[1]}`) ? `${command} ${args[1]}` : command
  if (!PROGRAM.has(sub)) return `taskmesh has no command "${command}"`
  const options = PROGRAM.get(sub)!
  for (const arg of args) {
    const opt = /^(--[\w-]+)/.exec(arg)?.[1]
    if (opt == null || opt === '--help') continue
    if (!options.has(opt) && !options.has(opt.replace(/^--no-/, '--'))) return `taskmesh ${sub} has no option ${opt}`
  }
  return undefined
}

function npmProblem (args: string[]): string | undefined {
  if (['install', 'test', 'ci', 'i', 'pack'].includes(args[0]!)) return undefined
  if (args[0] !== 'run') return `npm ${args[0]} is not a command the docs use`
  if (!SCRIPTS.includes(args[1]!)) return `npm has no script "${args[1]}"`
  const after = args.indexOf('--')
  const own = args[1] === 'bench' ? BENCH_OPTIONS : args[1] === 'simulate' ? PROGRAM.get('simulate')! : undefined
  if (own == null || after < 0) return undefined
  for (const arg of args.slice(after + 1)) {
    const opt = /^(--[\w-]+)/.exec(arg)?.[1]
    if (opt != null && !own.has(opt) && !own.has(opt.replace(/^--no-/, '--'))) return `npm run ${args[1]} has no option ${opt}`
  }
  return undefined
}
