import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { mkdtemp, writeFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { cliProcesses, runCli } from '../helpers/cli.js'

const fixture = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname
const { start } = cliProcesses()

/** Writes tasks to a new file in `dir`; returns its path. */
function writeTasks (dir: string, tasks: unknown[]): string {
  const file = join(dir, `tasks-${Math.random().toString(36).slice(2)}.json`)
  writeFileSync(file, JSON.stringify(tasks))
  return file
}


describe('the CLI in separate processes', () => {
  it('runs the tutorial: admin --exit-when-done --json and three worker processes', async () => {
    const admin = start(['admin', '--tasks', fixture('tutorial.json'), '--expected-workers', '3', '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-when-done', '--json'])
    const listening = await admin.waitForEvent('listening')
    expect(admin.events[0]).toEqual({ event: 'listening', peerId: expect.stringMatching(/^12D3KooW/), addrs: [expect.stringMatching(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${listening.peerId}$`))] })
    for (const [name, skill] of [['Junior', 3], ['Intermediate', 6], ['Senior', 9]] as const) {
      start(['worker', '--admin', listening.addrs[0], '--name', name, '--skill', String(skill), '--json'])
    }
    expect(await admin.exit()).toBe(0)
    expect(admin.events.at(-1)).toEqual({
      event: 'summary',
      total: 3,
      succeeded: 3,
      failed: 0,
      skipped: 0,
      cancelled: 0,
      tasks: [
        { id: '1', status: 'succeeded', worker: 'Junior', attempts: 1 },
        { id: '2', status: 'succeeded', worker: 'Intermediate', attempts: 1 },
        { id: '3', status: 'succeeded', worker: 'Senior', attempts: 1 }
      ]
    })
    // every stdout line is one JSON object with an event field
    expect(admin.lines.every(l => typeof JSON.parse(l).event === 'string')).toBe(true)
  })

  it('workers in a batch job leave by themselves: --exit-when-done once every task is final, --exit-when-idle when nothing comes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-batch-'))
    const file = join(dir, 'tasks.json')
    await writeFile(file, JSON.stringify([{ id: 'a', payload: { durationMs: 300 } }, { id: 'b', payload: { durationMs: 300 } }]))
    const admin = start(['admin', '--tasks', file, '--expected-workers', '1', '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
    const at = (await admin.waitForEvent('listening')).addrs[0]
    const worker = start(['worker', '--admin', at, '--name', 'batch', '--skill', '5', '--max-concurrent', '2', '--exit-when-done', '--json'])
    expect(await worker.exit()).toBe(0)
    expect(worker.events.filter(e => e.event === 'task:finished').map(e => e.taskId).sort()).toEqual(['a', 'b'])
    expect(worker.events.find(e => e.event === 'admin:done')).toMatchObject({ total: 2, succeeded: 2, failed: 0 })
    expect(worker.events.at(-1)).toEqual({ event: 'stopped', reason: 'done' })
    // one that joins once all is final hears so on registering, and leaves at once
    const late = start(['worker', '--admin', at, '--name', 'late', '--skill', '5', '--exit-when-done', '--json'])
    expect(await late.exit()).toBe(0)
    expect(late.events.at(-1)).toEqual({ event: 'stopped', reason: 'done' })

    // --exit-when-idle: it runs what comes (a task longer than the idle time), and leaves once nothing does
    await runCli(['submit', '--admin', at, '--tasks', writeTasks(dir, [{ id: 'slow', payload: { durationMs: 1500 } }])])
    const idle = start(['worker', '--admin', at, '--name', 'idle', '--skill', '5', '--exit-when-idle', '0.5', '--json'])
    expect(await idle.exit()).toBe(0)
    expect(idle.events.filter(e => e.event === 'task:finished')).toEqual([expect.objectContaining({ taskId: 'slow', success: true })])
    expect(idle.events.at(-1)).toEqual({ event: 'stopped', reason: 'idle' })
    expect((await runCli(['result', 'slow', '--admin', at, '--json'])).events[0]).toMatchObject({ state: 'succeeded' })
  })

  it('with --quiet prints nothing per task, and writes its last line whole before exiting, even a summary of more than a megabyte read through a pipe', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-summary-'))
    const file = join(dir, 'tasks.json')
    // long ids make the summary line large: 3,000 tasks of 400 characters each
    await writeFile(file, JSON.stringify(Array.from({ length: 3000 }, (_, i) => ({ id: `${String(i).padStart(6, '0')}-${'x'.repeat(393)}` }))))
    const admin = start(['admin', '--tasks', file, '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-when-done', '--json', '--quiet'])
    const { addrs } = await admin.waitForEvent('listening')
    start(['worker', '--admin', addrs[0], '--name', 'w', '--skill', '1', '--max-concurrent', '64', '--quiet'])
    expect(await admin.exit()).toBe(0)
    // --quiet: nothing per task, workers joining still
    const events = admin.lines.map(l => JSON.parse(l).event as string)
    expect(events.filter(e => e.startsWith('task:'))).toEqual([])
    expect(events).toContain('worker:connected')
    // the summary is the last line, whole
    const last = admin.lines.at(-1)!
    expect(last.length).toBeGreaterThan(1024 * 1024)
    const summary = JSON.parse(last)
    expect(summary).toMatchObject({ event: 'summary', total: 3000, succeeded: 3000 })
    expect(summary.tasks).toHaveLength(3000)
  })

  it('exits 1 when a task fails, and a SIGKILLed worker\'s task completes on another', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-cli-'))
    const tasks = join(dir, 'tasks.json')
    await writeFile(tasks, JSON.stringify([
      { id: 'slow', type: 'work', worker: 'victim' },
      { id: 'broken', payload: { fail: 'input data missing' } }
    ]))
    const hangs = join(dir, 'hangs.mjs')
    await writeFile(hangs, 'export function work (task, { signal }) { return new Promise(() => {}) }\n')
    const quick = join(dir, 'quick.mjs')
    await writeFile(quick, 'export function work (task) { return { done: task.id } }\n')
    // "slow" can only go to "victim": the first one hangs and is killed, a second one finishes it
    const admin = start(['admin', '--tasks', tasks, '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-when-done', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    const victim = start(['worker', '--admin', addrs[0], '--name', 'victim', '--skill', '1', '--handlers', hangs, '--json'])
    await admin.waitForEvent('task:assigned', e => e.taskId === 'slow')
    victim.kill('SIGKILL')
    await admin.waitForEvent('task:attempt-ended', e => e.taskId === 'slow' && e.outcome === 'lost')
    start(['worker', '--admin', addrs[0], '--name', 'victim', '--skill', '1', '--handlers', quick, '--json'])
    // "broken" fails on whichever worker runs it
    start(['worker', '--admin', addrs[0], '--name', 'other', '--skill', '2', '--json'])
    expect(await admin.exit()).toBe(1)
    const summary = admin.events.at(-1)!
    expect(summary).toMatchObject({ event: 'summary', succeeded: 1, failed: 1 })
    expect(summary.tasks).toEqual([
      { id: 'slow', status: 'succeeded', worker: 'victim', attempts: 2 },
      { id: 'broken', status: 'failed', worker: expect.any(String), attempts: 1, error: 'input data missing' }
    ])
    expect(admin.events.find(e => e.event === 'worker:disconnected')).toMatchObject({ name: 'victim', skill: 1, reason: 'disconnected' })
  })

  it('escapes what peers send before it reaches a terminal: a failing handler\'s escape sequences, a worker name with a bidi override', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-cli-'))
    const tasks = join(dir, 'tasks.json')
    await writeFile(tasks, JSON.stringify([{ id: 'evil', type: 'work' }]))
    const handlers = join(dir, 'evil.mjs')
    await writeFile(handlers, 'export function work () { throw new Error(\'\\x1b[2J\\x1b[31mfake\\u202e done\') }\n')
    // human output and pretty logs (debug: every event's detail is logged too), to pipes, so no colours of their own
    const admin = start(['admin', '--tasks', tasks, '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-when-done', '--log-level', 'debug'])
    let address: string | undefined
    await admin.waitUntil(() => (address = admin.lines.map(l => l.trim()).find(l => /^\/ip4\/.*\/p2p\//.test(l))) != null)
    const worker = start(['worker', '--admin', address!, '--name', 'w\u202eevil', '--capabilities', 'gpu\u2066x', '--skill', '1', '--handlers', handlers, '--log-level', 'debug'])
    expect(await admin.exit()).toBe(1)
    await worker.waitUntil(() => worker.lines.some(l => l.startsWith('✗ task evil')))
    for (const p of [admin, worker]) {
      const shown = [...p.lines, ...p.stderr.split('\n')]
      expect(shown.filter(l => ['\x1b', '\u202e', '\u2066'].some(raw => l.includes(raw)))).toEqual([])
      expect(p.lines.join('\n')).toContain('\\x1b[2J\\x1b[31mfake\\u{202e} done')
      expect(p.stderr).toContain('\\x1b[2J\\x1b[31mfake\\u{202e} done')
    }
    const adminOut = admin.lines.join('\n')
    expect(adminOut).toContain('+ worker w\\u{202e}evil joined (skill 1, capabilities gpu\\u{2066}x)')
    expect(adminOut).toContain('✗ task evil failed on w\\u{202e}evil: \\x1b[2J\\x1b[31mfake\\u{202e} done')
  })

  it('exits 2 on a malformed task file, naming the file, the field and the problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-cli-'))
    const tasks = join(dir, 'bad.yaml')
    await writeFile(tasks, '- id: a\n  priority: 12\n- id: b\n  depends_on: [ghost]\n')
    const { code, stderr, stdout } = await runCli(['admin', '--tasks', tasks, '--listen', '/ip4/127.0.0.1/tcp/0'])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toBe(`${tasks}: 2 problems\n  tasks[0].priority: must be 1..10\n  tasks[1].depends_on[0]: unknown task "ghost"\n`)
  })

  it('starts without loading what its commands run: listing them and their options needs commander alone', async () => {
    const run = promisify(execFile)
    const probe = async (module: string, exported?: string): Promise<string[]> => JSON.parse((await run(process.execPath, [fixture('module-probe.mjs'), module, ...(exported != null ? [exported] : [])])).stdout) as string[]
    expect(await probe(fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url)), 'buildProgram')).toEqual(['commander'])
    // the probe sees what loads: a client command's action brings libp2p (and so a reader of this test knows
    // the probe can see it)
    expect(await probe(fileURLToPath(new URL('../../dist/cli/actions/client.js', import.meta.url)))).toEqual(expect.arrayContaining(['libp2p', '@chainsafe/libp2p-noise']))
  })

  it('exits 2 on a handlers module that does not load, naming the file and the line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-cli-'))
    const admin = '/ip4/127.0.0.1/tcp/9/p2p/12D3KooWGzh5E5SrCodfqgKEDxQ9ZzkJY8Q1vHjqNrHyGZkcRoFX'
    const broken = join(dir, 'broken.mjs')
    await writeFile(broken, 'export function a (task) {\n  return {\n}\nexport const b = 1 +\n')
    expect(await runCli(['worker', '--admin', admin, '--name', 'w', '--skill', '1', '--handlers', broken])).toMatchObject({
      code: 2, stderr: `${broken}: invalid\n  line 4: handlers module failed to load: SyntaxError: Unexpected token 'export'\n`
    })
    const throwing = join(dir, 'throwing.mjs')
    await writeFile(throwing, 'export const a = () => 1\nthrow new Error("no model configured")\n')
    expect(await runCli(['worker', '--admin', admin, '--name', 'w', '--skill', '1', '--handlers', throwing])).toMatchObject({
      code: 2, stderr: `${throwing}: invalid\n  line 2, column 7: handlers module failed to load: Error: no model configured\n`
    })
  })

  it('exits 2 on a worker address without /p2p/, and on bad option values', async () => {
    const noPeer = await runCli(['worker', '--admin', '/ip4/127.0.0.1/tcp/4001', '--name', 'w', '--skill', '3'])
    expect(noPeer.code).toBe(2)
    expect(noPeer.stderr).toMatch(/does not end in \/p2p\/<peerId>; copy the full address the admin printed at start/)
    const badSkill = await runCli(['worker', '--admin', '/ip4/127.0.0.1/tcp/4001', '--name', 'w', '--skill', 'high'])
    expect(badSkill.code).toBe(2)
    expect(badSkill.stderr).toMatch(/option '--skill <n>' argument 'high' is invalid. expected a number of at least 0/)
  })

  it('never prints a password given in --database-url, in its user part or as a query parameter', async () => {
    // port 1: nothing listens there, so connecting fails at once and the error names the database
    for (const url of ['postgres://nobody@127.0.0.1:1/db?password=hunter2', 'postgres://nobody:hunter2@127.0.0.1:1/db?sslpassword=hunter2&application_name=tm']) {
      const { code, stdout, stderr } = await runCli(['history', 'X', '--database-url', url])
      expect(code).toBe(1)
      expect(stderr).toMatch(/cannot reach PostgreSQL at postgres:\/\/nobody(:\*\*\*)?@127\.0\.0\.1:1\/db\?\w*password=\*\*\*/)
      expect(`${stdout}${stderr}`).not.toContain('hunter2')
    }
  })

  it('keygen writes a 0600 key and prints its peer id; the admin keeps that id across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-cli-'))
    const key = join(dir, 'admin.key')
    const { code, stdout } = await runCli(['keygen', '--out', key])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^12D3KooW\w+$/)
    expect((await stat(key)).mode & 0o777).toBe(0o600)
    for (let i = 0; i < 2; i++) {
      const admin = start(['admin', '--key', key, '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
      expect((await admin.waitForEvent('listening')).peerId).toBe(stdout)
      admin.kill('SIGTERM')
      expect(await admin.exit()).toBe(0)
    }
    expect((await runCli(['keygen', '--out', key])).stderr).toMatch(/already exists/)
  })
})
