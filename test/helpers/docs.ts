import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Command } from 'commander'

/** What the docs check reads: the README, every page in docs/, and the sources they speak of. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** A claim made by a page, at a line, for a failure message that says where to look. */
export interface Claim {
  page: string
  line: number
  text: string
}

export interface Page {
  /** Relative to the repository, e.g. "docs/agents.md". */
  path: string
  text: string
  /** Inline code spans outside code blocks, with their line. */
  spans: Claim[]
  /** Shell commands of ```sh blocks, continuation lines joined. */
  commands: Claim[]
  /** Markdown links outside code blocks. */
  links: Claim[]
  /** Code blocks by language. */
  blocks: Array<Claim & { lang: string }>
}

export function pages (): Page[] {
  const docs = readdirSync(join(ROOT, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`)
  return ['README.md', ...docs].map(readPage)
}

export function readPage (path: string): Page {
  const text = readFileSync(join(ROOT, path), 'utf8')
  const page: Page = { path, text, spans: [], commands: [], links: [], blocks: [] }
  const lines = text.split('\n')
  let block: { lang: string, start: number, body: string[] } | undefined
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const fence = /^\s*```(\w*)/.exec(line)
    if (fence != null) {
      if (block == null) block = { lang: fence[1]!, start: i + 1, body: [] }
      else {
        page.blocks.push({ page: path, line: block.start, lang: block.lang, text: block.body.join('\n') })
        if (['sh', 'bash', 'shell'].includes(block.lang)) page.commands.push(...shellCommands(path, block.start, block.body))
        block = undefined
      }
      continue
    }
    if (block != null) { block.body.push(line); continue }
    for (const m of line.matchAll(/`([^`]+)`/g)) page.spans.push({ page: path, line: i + 1, text: m[1]! })
    for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) page.links.push({ page: path, line: i + 1, text: m[1]! })
  }
  return page
}

function shellCommands (page: string, start: number, body: string[]): Claim[] {
  const out: Claim[] = []
  let pending = ''
  let at = 0
  body.forEach((raw, i) => {
    const line = raw.replace(/\s+#\s.*$/, '').trim()
    if (pending === '') at = start + i + 1
    if (line === '' || line.startsWith('#')) return
    if (line.endsWith('\\')) { pending += `${line.slice(0, -1)} `; return }
    out.push({ page, line: at, text: pending + line })
    pending = ''
  })
  return out
}

/** Every file under a directory, relative to the repository. */
export function filesUnder (dir: string, ext = '.ts'): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const name of readdirSync(join(ROOT, d))) {
      const p = `${d}/${name}`
      if (statSync(join(ROOT, p)).isDirectory()) walk(p)
      else if (p.endsWith(ext)) out.push(p)
    }
  }
  walk(dir)
  return out
}

/** Names exported by the sources (classes, functions, types, constants, protobuf messages), with their file. */
export function exportedNames (): Map<string, string> {
  const names = new Map<string, string>()
  for (const file of filesUnder('src')) {
    const text = readFileSync(join(ROOT, file), 'utf8')
    for (const m of text.matchAll(/^export (?:declare )?(?:abstract )?(?:async )?(?:class|interface|type|function|const|enum|namespace|let) (\w+)/gm)) {
      if (!names.has(m[1]!)) names.set(m[1]!, file)
    }
  }
  return names
}

/** The directories a backticked path may start with: the repository's own, and the areas of `src/`. */
export function pathRoots (): Set<string> {
  const roots = readdirSync(ROOT).filter(n => !n.startsWith('.') && n !== 'node_modules' && n !== 'dist' && statSync(join(ROOT, n)).isDirectory())
  const areas = readdirSync(join(ROOT, 'src')).filter(n => statSync(join(ROOT, 'src', n)).isDirectory())
  return new Set([...roots, ...areas, '.ci'])
}

/**
 * Where a path written on a page may be: from the repository, from `src/` (pages say `admin/api.ts` for
 * `src/admin/api.ts`), or from the page's own directory. A `*` matches within one directory.
 */
export function resolvePath (page: string, path: string): string | undefined {
  const clean = path.replace(/\/$/, '')
  for (const base of ['', 'src', dirname(page)]) {
    const full = join(ROOT, base, clean)
    if (clean.includes('*')) {
      const dir = dirname(full)
      const pattern = new RegExp(`^${basename(full).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`)
      if (existsSync(dir) && readdirSync(dir).some(n => pattern.test(n))) return relative(ROOT, dir)
    } else if (existsSync(full)) {
      return relative(ROOT, full)
    }
  }
  return undefined
}

/** GitHub's anchor for a heading. */
export function anchor (heading: string): string {
  return heading.trim().toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
}

export function anchorsOf (text: string): Set<string> {
  const out = new Set<string>()
  let inBlock = false
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) inBlock = !inBlock
    const h = /^#{1,6}\s+(.*)$/.exec(line)
    if (!inBlock && h != null) out.add(anchor(h[1]!))
  }
  return out
}

/** Every `taskmesh` command's long options, by command name ("" for the program's own). */
export function cliOptions (program: Command): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>()
  const longs = (cmd: Command): string[] => cmd.options.map(o => o.long).filter((l): l is string => l != null)
  const walk = (cmd: Command, name: string): void => {
    // a command with subcommands may run one by default (`taskmesh workers` is `workers list`): it takes
    // their options
    out.set(name, new Set([...longs(cmd), ...(name === '' ? [] : cmd.commands.flatMap(longs))]))
    for (const sub of cmd.commands) walk(sub, name === '' ? sub.name() : `${name} ${sub.name()}`)
  }
  walk(program, '')
  return out
}

/** The options a script reads with `parseArgs({ options: { … } })`. */
export function scriptOptions (file: string): Set<string> {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const block = /parseArgs\(\{\s*options:\s*\{([\s\S]*?)\n {2}\}/.exec(text)
  if (block == null) throw new Error(`${file}: no parseArgs({ options }) found`)
  return new Set([...block[1]!.matchAll(/^\s*'?([\w-]+)'?:\s*\{/gm)].map(m => `--${m[1]!}`))
}

/** The routes `http/server.ts` serves, as "METHOD /path" with fastify's `:params`. */
export function httpRoutes (): Set<string> {
  const text = readFileSync(join(ROOT, 'src/http/server.ts'), 'utf8')
  return new Set([...text.matchAll(/app\.(get|post|put|patch|delete)\('([^']+)'/g)].map(m => `${m[1]!.toUpperCase()} ${m[2]!}`))
}
