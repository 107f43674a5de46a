import { describe, expect, it } from 'vitest'
import { pages, readPage, type Page } from '../helpers/docs.js'
import { EVENTS, MCP_TOOLS, PROGRAM, ROUTES, brokenExamples, brokenLinks, misplacedNames, missingFiles, routesNamed, unknownEventsAndTools, unknownNames, unknownOptions, unknownRoutes, wrongCommands } from '../helpers/docs-checks.js'

/**
 * The docs check: what the README and the pages in docs/ name (files, classes, options, routes, events,
 * tools, commands) exists under that name. Renaming one fails here with the page and line to fix.
 */

const PAGES = pages()
const all = (check: (page: Page) => string[]): string[] => PAGES.flatMap(check)

describe('the docs check', () => {
  it('reads the README and every page in docs/', () => {
    expect(PAGES.map(p => p.path)).toContain('README.md')
    expect(PAGES.map(p => p.path)).toContain('docs/architecture.md')
    for (const p of PAGES) expect(p.spans.length, p.path).toBeGreaterThan(0)
  })

  it('every file path a page names exists (`admin/delivery.ts`, `test/…`, `scripts/…`)', () => {
    expect(all(missingFiles)).toEqual([])
  })

  it('every link to another page or file leads somewhere, anchors included', () => {
    expect(all(brokenLinks)).toEqual([])
  })

  it('every class, function or constant named in backticks is exported by a source file, with the member named', () => {
    expect(all(unknownNames)).toEqual([])
  })

  it('a name said to be in a file is in that file', () => {
    expect(all(misplacedNames)).toEqual([])
  })

  it('every --option a page names is an option of a command; a command line in backticks is checked as a whole', () => {
    expect(all(unknownOptions)).toEqual([])
  })

  it('every option of every command is on some page', () => {
    const text = PAGES.map(p => p.text).join('\n')
    const undocumented = [...PROGRAM].flatMap(([command, options]) => [...options]
      .filter(o => o !== '--version' && !new RegExp(`${o}(?![\\w-])`).test(text))
      .map(o => `taskmesh ${command} ${o}`))
    expect(undocumented).toEqual([])
  })

  it('every HTTP route a page names is served, and every route served is documented', () => {
    expect(all(unknownRoutes)).toEqual([])
    const documented = new Set(PAGES.flatMap(routesNamed).map(s => s.text.replace(/\?.*$/, '')))
    expect([...ROUTES].filter(r => !documented.has(r))).toEqual([])
  })

  it('every event and MCP tool a page names exists, and every one of them is documented', () => {
    expect(all(unknownEventsAndTools)).toEqual([])
    const named = new Set(PAGES.flatMap(p => p.spans.map(s => s.text)))
    expect([...MCP_TOOLS].filter(t => !named.has(t))).toEqual([])
    expect([...EVENTS].filter(e => !named.has(e))).toEqual([])
  })

  it('every shell example runs a taskmesh command with its own options, an npm script, or a known program', () => {
    expect(all(wrongCommands)).toEqual([])
  })

  it('JSON and YAML examples parse, and TypeScript examples import only what taskmesh exports', () => {
    expect(all(brokenExamples)).toEqual([])
  })

  it('finds each kind of mistake in a page written with them', () => {
    const page = readPage('test/fixtures/docs-wrong.md')
    const whys = (check: (p: Page) => string[]): string[] => check(page).map(w => w.replace(/^[^:]+:\d+: /, ''))
    expect(whys(missingFiles)).toEqual(['admin/outbox.ts (no such file)'])
    expect(whys(brokenLinks)).toEqual(['../../docs/agents.md#agents-that-push (no heading for #agents-that-push in docs/agents.md)', 'figures.txt (no such file)'])
    expect(whys(unknownNames)).toEqual(['Deadlines (no source exports Deadlines)', 'FlushCycle.flush (FlushCycle in src/admin/flush-cycle.ts has no flush)'])
    expect(whys(misplacedNames)).toEqual(['`readSubmission` (`admin/flush-cycle.ts` (readSubmission is not in src/admin/flush-cycle.ts)'])
    expect(whys(unknownOptions)).toEqual(['--max-peers (--max-peers is no option)', 'taskmesh worker --tasks t.json (taskmesh worker has no option --tasks)'])
    expect(whys(unknownRoutes)).toEqual(['GET /api/jobs (not served by http/server.ts)'])
    expect(whys(unknownEventsAndTools)).toEqual(['task:done (no such event)', 'list_jobs (no such MCP tool)'])
    expect(whys(wrongCommands)).toEqual([
      'taskmesh admin --tasks-file flow.yaml (taskmesh admin has no option --tasks-file)',
      'taskmesh submitt flow.yaml (taskmesh has no command "submitt")',
      'npm run simulat (npm has no script "simulat")',
      'npm run bench -- --only network --repeats 3 (npm run bench has no option --repeats)',
      'rm -rf / (rm is not taskmesh, npm or a known program)'
    ])
    expect(whys(brokenExamples)).toEqual([
      expect.stringMatching(/^json block \(.*JSON/), // the parser's own words, which differ between Node versions
      'TaskNetwork (not exported by src/index.ts)'
    ])
  })
})
