import { existsSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { cliProcesses, runCli } from '../helpers/cli.js'
import { commandMissing, requirement } from '../helpers/system.js'

const python = requirement('the --exec tests with Python agents', commandMissing('python3', ['--version'], 'install Python 3.9 or newer (apt-get install python3)'))
const { start } = cliProcesses()
const TUTORIAL_AGENT = fileURLToPath(new URL('../../examples/python/tutorial_agent.py', import.meta.url))
const SUMMARIZE_AGENT = fileURLToPath(new URL('../../examples/python/summarize_agent.py', import.meta.url))
const REPORT_HANDLERS = fileURLToPath(new URL('../fixtures/report-handlers.mjs', import.meta.url))
const TEST_AGENT = fileURLToPath(new URL('../fixtures/python/test_agent.py', import.meta.url))
const TUTORIAL = fileURLToPath(new URL('../fixtures/tutorial.json', import.meta.url))

async function tasksFile (tasks: unknown[]): Promise<{ dir: string, file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'taskmesh-exec-'))
  const file = join(dir, 'tasks.json')
  await writeFile(file, JSON.stringify(tasks))
  return { dir, file }
}

interface Alive { role: 'agent' | 'helper', pid: number, pgid: number }

/**
 * A Unix socket that each process of the test agent connects to, saying who it is. The kernel closes a
 * process's connection when the process ends, so a closed connection is the event that it has: no polling,
 * and no zombie waiting for its reaper taken for a live process (as `kill(-pgid, 0)` would).
 */
async function aliveSocket (path: string): Promise<{ path: string, announced(n: number): Promise<Alive[]>, allGone(): Promise<void>, close(): void }> {
  const processes: Array<{ alive: Alive, socket: Socket, gone: Promise<void> }> = []
  const waiters = new Set<() => void>()
  const server = createServer(socket => {
    const gone = new Promise<void>(resolve => socket.once('close', () => { resolve() }))
    createInterface({ input: socket }).once('line', line => {
      processes.push({ alive: JSON.parse(line) as Alive, socket, gone })
      for (const wake of waiters) wake()
    })
  })
  await new Promise<void>(resolve => server.listen(path, resolve))
  const within = async <T>(promise: Promise<T>, what: string): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      return await Promise.race([promise, new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${what} after 20 s`)) }, 20_000) })])
    } finally {
      clearTimeout(timer)
    }
  }
  return {
    path,
    announced: async n => await within(new Promise<Alive[]>(resolve => {
      const check = (): void => { if (processes.length >= n) { waiters.delete(check); resolve(processes.map(p => p.alive)) } }
      waiters.add(check)
      check()
    }), `fewer than ${n} processes had announced themselves`),
    allGone: async () => { await within(Promise.all(processes.map(async p => { await p.gone })), 'a process of the agent was still running') },
    close: () => {
      // a process whose connection is still open is still running (its pid is its own): the test's mess is not left behind
      for (const p of processes) if (!p.socket.closed) process.kill(p.alive.pid, 'SIGKILL')
      server.close()
    }
  }
}

describe.skipIf(python.missing != null)(`workers whose handlers are a child process (--exec)${python.note}`, () => {
  it('runs the tutorial with three Python agents: the same outcome as the JavaScript workers', async () => {
    const admin = start(['admin', '--tasks', TUTORIAL, '--expected-workers', '3', '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-when-done', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    for (const [name, skill] of [['Junior', 3], ['Intermediate', 6], ['Senior', 9]] as const) {
      start(['worker', '--admin', addrs[0], '--name', name, '--skill', String(skill), '--exec', `python3 ${TUTORIAL_AGENT}`, '--json'])
    }
    expect(await admin.exit()).toBe(0)
    expect(admin.events.at(-1)).toMatchObject({
      event: 'summary',
      succeeded: 3,
      tasks: [{ id: '1', worker: 'Junior' }, { id: '2', worker: 'Intermediate' }, { id: '3', worker: 'Senior' }]
    })
    const done = admin.events.filter(e => e.event === 'task:completed')
    expect(done.map(e => e.output?.language)).toEqual(['python', 'python', 'python'])
  })

  it('a Python task feeds a JavaScript task, which feeds a task pulled over HTTP: outputs checked at each step', async () => {
    const { file } = await tasksFile([
      { id: 'summary', type: 'summarize', payload: { text: 'peers agree on who does what by skill and capability, over libp2p streams' } },
      { id: 'report', type: 'report', depends_on: ['summary'] },
      { id: 'publish', type: 'publish', depends_on: ['report'] }
    ])
    const admin = start(['admin', '--tasks', file, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0', '--exit-when-done', '--json'])
    const { addrs, http } = await admin.waitForEvent('listening')
    const py = start(['worker', '--admin', addrs[0], '--name', 'py', '--skill', '5', '--exec', `python3 ${SUMMARIZE_AGENT}`, '--json'])
    start(['worker', '--admin', addrs[0], '--name', 'js', '--skill', '5', '--handlers', REPORT_HANDLERS, '--json'])
    await admin.waitForEvent('task:completed', e => e.id === 'report')
    // the last step is taken by an agent that only speaks HTTP
    const claimed = await (await fetch(`${http}/api/claims`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agent: 'publisher', types: ['publish'], waitSeconds: 5 }) })).json() as { claims: Array<{ token: string, task: { id: string, inputs: Record<string, unknown> } }> }
    expect(claimed.claims).toHaveLength(1)
    expect(claimed.claims[0]!.task).toMatchObject({ id: 'publish', inputs: { report: { from: ['summary'], words: [13], language: 'javascript' } } })
    const answer = await fetch(`${http}/api/claims/${claimed.claims[0]!.token}/result`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ output: { url: 'https://example.invalid/post/1' } }) })
    expect(answer.status).toBe(200)
    expect(await admin.exit()).toBe(0)
    const outputs = Object.fromEntries(admin.events.filter(e => e.event === 'task:completed').map(e => [e.id, e]))
    expect(outputs.summary).toMatchObject({ worker: 'py', output: { summary: 'peers agree on who does what by skill and capability, over libp2p', words: 13 } })
    // the JavaScript handler received the Python output as its input
    expect(outputs.report).toMatchObject({ worker: 'js', status: 'succeeded', output: { from: ['summary'], words: [13] } })
    expect(outputs.publish).toMatchObject({ worker: 'http:publisher', status: 'succeeded', output: { url: 'https://example.invalid/post/1' } })
    expect(py.events.find(e => e.event === 'exec:ready')).toMatchObject({ types: ['summarize'] })
  })

  it('a child that crashes mid-task: its attempt fails as retryable, the child comes back, the task completes', async () => {
    const { dir, file } = await tasksFile([{ id: 'fragile', type: 'crash-once', retry_policy: { max_attempts: 2, initial_delay: 0 } }])
    const admin = start(['admin', '--tasks', file, '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-when-done', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    const worker = start(['worker', '--admin', addrs[0], '--name', 'py', '--skill', '1', '--exec', `python3 ${TEST_AGENT}`, '--json'], { env: { ...process.env, TEST_MARKS: dir } })
    expect(await admin.exit()).toBe(0)
    expect(admin.events.at(-1)).toMatchObject({ succeeded: 1, tasks: [{ id: 'fragile', attempts: 2 }] })
    const ended = admin.events.filter(e => e.event === 'task:attempt-ended').map(e => [e.outcome, e.error])
    expect(ended[0]).toEqual(['failed', expect.stringMatching(/the --exec child exited \(code 3\) while running the task/)])
    expect(worker.events.filter(e => e.event === 'exec:ready')).toHaveLength(2)
    expect(worker.stderr).toMatch(/the child exited \(code 3\); its running tasks failed and can run again; restarting it in/)
  })

  it('a line that is not JSON fails the task it names, never the worker; prints and stderr go to the log, once each', async () => {
    const { file } = await tasksFile([{ id: 'noisy', type: 'garbage' }, { id: 'fine', type: 'echo', depends_on: [], payload: { n: 1 } }])
    const admin = start(['admin', '--tasks', file, '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-when-done', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    const worker = start(['worker', '--admin', addrs[0], '--name', 'py', '--skill', '1', '--max-concurrent', '2', '--exec', `python3 ${TEST_AGENT}`, '--json'])
    expect(await admin.exit()).toBe(1)
    const summary = admin.events.at(-1)!
    expect(summary.tasks.find((t: { id: string }) => t.id === 'noisy')).toMatchObject({ status: 'failed', error: expect.stringMatching(/the --exec child sent a line that is not JSON/) })
    expect(summary.tasks.find((t: { id: string }) => t.id === 'fine')).toMatchObject({ status: 'succeeded' })
    // said once each: the print at info (an event, with --json), the stderr line as a warning
    expect(worker.events.filter(e => e.event === 'exec:log' && e.taskId == null)).toEqual([{ event: 'exec:log', level: 'info', message: 'a stray print' }])
    expect(worker.stderr.split('this line goes to stderr')).toHaveLength(2)
    expect(worker.stderr).not.toMatch(/a stray print/)
    expect(worker.events.filter(e => e.event === 'exec:ready')).toHaveLength(1)
  })

  it('a timeout cancels the Python handler, which sees task.cancelled; an UnrecoverableError is not retried', async () => {
    const { dir, file } = await tasksFile([
      { id: 'stuck', type: 'wait-cancel', timeout: 0.5 },
      { id: 'hopeless', type: 'refuse', retry_policy: { max_attempts: 3 } }
    ])
    const admin = start(['admin', '--tasks', file, '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-when-done', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    const worker = start(['worker', '--admin', addrs[0], '--name', 'py', '--skill', '1', '--max-concurrent', '2', '--exec', `python3 ${TEST_AGENT}`, '--json'], { env: { ...process.env, TEST_MARKS: dir } })
    expect(await admin.exit()).toBe(1)
    const summary = admin.events.at(-1)!
    expect(summary.tasks.find((t: { id: string }) => t.id === 'stuck')).toMatchObject({ status: 'failed', error: expect.stringMatching(/timed out/) })
    expect(summary.tasks.find((t: { id: string }) => t.id === 'hopeless')).toMatchObject({ status: 'failed', attempts: 1, error: 'UnrecoverableError: this input can never work' })
    await worker.waitUntil(() => existsSync(join(dir, 'cancelled-stuck')))
    // the handler's late answer after the cancel is dropped quietly
    expect(worker.stderr).not.toMatch(/result for no running task/)
  })

  it('SIGTERM: the worker drains, then the child and what it started are stopped; nothing is left running', async () => {
    const { dir, file } = await tasksFile([{ id: 'long', type: 'slow', payload: { seconds: 1 } }])
    const alive = await aliveSocket(join(dir, 'alive.sock'))
    try {
      const admin = start(['admin', '--tasks', file, '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
      const { addrs } = await admin.waitForEvent('listening')
      const worker = start(['worker', '--admin', addrs[0], '--name', 'py', '--skill', '1', '--exec', `python3 ${TEST_AGENT}`, '--json'], { env: { ...process.env, TEST_ALIVE_SOCKET: alive.path } })
      // the agent, and a helper it started that ignores SIGTERM, both in the process group the worker made
      const processes = await alive.announced(2)
      const agent = processes.find(p => p.role === 'agent')!
      const helper = processes.find(p => p.role === 'helper')!
      expect(helper.pgid).toBe(agent.pgid)
      expect(helper.pid).not.toBe(agent.pid)
      await worker.waitForEvent('task:started')
      worker.kill('SIGTERM')
      expect(await worker.exit()).toBe(0)
      expect(worker.events.find(e => e.event === 'task:finished')).toMatchObject({ taskId: 'long', success: true })
      expect(worker.events.at(-1)).toMatchObject({ event: 'stopped' })
      expect(worker.events.find(e => e.event === 'exec:exit')).toBeDefined()
      expect(await admin.waitForEvent('task:completed', e => e.id === 'long')).toMatchObject({ status: 'succeeded' })
      // every process of the group has ended: the agent on SIGTERM, the helper killed once the agent was gone
      await alive.allGone()
    } finally {
      alive.close()
    }
  })

  it('a child that never says it is ready is a clear startup error', async () => {
    const { code, stderr } = await runCli(['worker', '--admin', '/ip4/127.0.0.1/tcp/9/p2p/12D3KooWGzh5E5SrCodfqgKEDxQ9ZzkJY8Q1vHjqNrHyGZkcRoFX', '--name', 'w', '--skill', '1', '--exec', 'sleep 30', '--exec-ready-timeout', '0.5'])
    expect(code).toBe(1)
    expect(stderr).toMatch(/--exec "sleep 30" did not send \{"ready": \{\.\.\.\}\} within 0\.5 s; it must print that line on stdout first \(see docs\/exec-protocol\.md\)/)
    const gone = await runCli(['worker', '--admin', '/ip4/127.0.0.1/tcp/9/p2p/12D3KooWGzh5E5SrCodfqgKEDxQ9ZzkJY8Q1vHjqNrHyGZkcRoFX', '--name', 'w', '--skill', '1', '--exec', 'exit 4'])
    expect(gone.stderr).toMatch(/--exec "exit 4" exited \(code 4\) before it sent \{"ready": \{\.\.\.\}\}/)
  })
})
