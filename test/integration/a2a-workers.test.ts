import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { cliProcesses, runCli } from '../helpers/cli.js'
import { commandMissing, requirement } from '../helpers/system.js'

const { start } = cliProcesses()
const python = requirement('the A2A workflow test (a Python agent in it)', commandMissing('python3', ['--version'], 'install Python 3.9 or newer (apt-get install python3)'))
const AGENT = fileURLToPath(new URL('../fixtures/a2a-agent.mjs', import.meta.url))
const SUMMARIZE_AGENT = fileURLToPath(new URL('../../examples/python/summarize_agent.py', import.meta.url))
const REPORT_HANDLERS = fileURLToPath(new URL('../fixtures/report-handlers.mjs', import.meta.url))
const TOKEN = 'a2a-token-for-the-test-0123456789'

/** The SDK's server as a remote agent, on loopback; resolves with its URL and what it printed. */
async function remoteAgent (env: Record<string, string> = {}): Promise<{ url: string, child: ChildProcess, lines: any[] }> {
  const child = spawn(process.execPath, [AGENT], { env: { ...process.env, AGENT_TOKEN: TOKEN, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  const lines: any[] = []
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', line => {
      const message = JSON.parse(line)
      lines.push(message)
      if (message.url != null) resolve(message.url)
    })
    child.once('exit', code => { reject(new Error(`the agent exited (${code})`)) })
  })
  return { url, child, lines }
}

describe('A2A agents as workers (taskmesh worker --a2a)', () => {
  const agents: ChildProcess[] = []
  afterAll(() => { for (const a of agents) a.kill() })

  it.skipIf(python.missing != null)(`a workflow through a Python agent, the A2A agent and a JavaScript handler; failing, refusing, slow and gone${python.note}`, async () => {
    const agent = await remoteAgent()
    agents.push(agent.child)
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-a2a-'))
    const tokenFile = join(dir, 'a2a.token')
    await writeFile(tokenFile, TOKEN)
    const tasks = join(dir, 'tasks.json')
    await writeFile(tasks, JSON.stringify([
      { id: 'summary', type: 'summarize', payload: { text: 'agents built with any framework meet on one task network' } },
      { id: 'translation', type: 'translate', depends_on: ['summary'] },
      { id: 'report', type: 'report', depends_on: ['translation'] },
      { id: 'flaky', type: 'translate', payload: { fail: 'the model is down' }, retry_policy: { max_attempts: 2, initial_delay: 0.01 } },
      { id: 'refused', type: 'translate', payload: { reject: 'not my language' }, retry_policy: { max_attempts: 3, initial_delay: 0.01 } },
      { id: 'slow', type: 'translate', payload: { slowMs: 60_000 }, timeout: 1 }
    ]))
    const admin = start(['admin', '--tasks', tasks, '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    start(['worker', '--admin', addrs[0], '--name', 'py', '--skill', '5', '--exec', `python3 ${SUMMARIZE_AGENT}`, '--json'])
    start(['worker', '--admin', addrs[0], '--name', 'js', '--skill', '5', '--handlers', REPORT_HANDLERS, '--json'])
    const a2a = start(['worker', '--admin', addrs[0], '--name', 'a2a', '--skill', '5', '--max-concurrent', '4', '--a2a', agent.url, '--a2a-token', tokenFile, '--json'])
    expect(await a2a.waitForEvent('a2a:agent')).toMatchObject({ name: 'translator', skills: ['translate'], streaming: true })
    const ids = ['summary', 'translation', 'report', 'flaky', 'refused', 'slow']
    await admin.waitUntil(() => ids.every(id => admin.events.some(e => e.event === 'task:completed' && e.id === id)), 60_000)
    const done = Object.fromEntries(admin.events.filter(e => e.event === 'task:completed').map(e => [e.id, e]))
    // each step's output, as the next one received it
    expect(done.summary).toMatchObject({ worker: 'py', status: 'succeeded', output: { summary: 'agents built with any framework meet on one task network', words: 10 } })
    expect(done.translation).toMatchObject({ worker: 'a2a', status: 'succeeded', output: { text: 'AGENTS BUILT WITH ANY FRAMEWORK MEET ON ONE TASK NETWORK', words: 10, skill: 'translate', from: 'translation' } })
    expect(done.report).toMatchObject({ worker: 'js', status: 'succeeded', output: { from: ['translation'], words: [10] } })
    // failed: retried, then failed; rejected: not retried; slow: timed out, and the agent heard the cancel
    expect(done.flaky).toMatchObject({ status: 'failed', attempts: 2, error: 'A2A agent translator failed the task: the model is down' })
    expect(done.refused).toMatchObject({ status: 'failed', attempts: 1, error: 'UnrecoverableError: A2A agent translator rejected the task: not my language' })
    expect(done.slow).toMatchObject({ status: 'failed' })
    await admin.waitUntil(() => agent.lines.some(l => l.cancelled != null), 10_000)
    // what the agent said while working, as the task's progress
    expect(a2a.events).toContainEqual(expect.objectContaining({ event: 'a2a:progress', taskId: 'translation', message: 'translating for translation' }))

    // the agent gone: its task fails, saying why, and the worker stays
    agent.child.kill()
    const gone = await runCli(['submit', '--tasks', await taskFile(dir, [{ id: 'after', type: 'translate', payload: { text: 'x' } }]), '--admin', addrs[0], '--wait'])
    expect(gone.code).toBe(1)
    const after = admin.events.find(e => e.event === 'task:completed' && e.id === 'after')
    expect(after).toMatchObject({ status: 'failed', error: expect.stringMatching(/^A2A agent translator \(http:\/\/127\.0\.0\.1:\d+\): /) })
    expect(a2a.child.exitCode).toBeNull()
  }, 120_000)

  it('an agent that does not stream: each task is one call that waits for its end', async () => {
    const agent = await remoteAgent({ AGENT_STREAMING: 'no' })
    agents.push(agent.child)
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-a2a-plain-'))
    const tokenFile = join(dir, 'a2a.token')
    await writeFile(tokenFile, TOKEN)
    const admin = start(['admin', '--tasks', await taskFile(dir, [{ id: 'plain', type: 'translate', payload: { text: 'one call' } }]), '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-when-done', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    const a2a = start(['worker', '--admin', addrs[0], '--name', 'a2a', '--skill', '5', '--a2a', agent.url, '--a2a-token', tokenFile, '--json'])
    expect(await a2a.waitForEvent('a2a:agent')).toMatchObject({ streaming: false })
    expect(await admin.exit(60_000)).toBe(0)
    expect(admin.events.find(e => e.event === 'task:completed')).toMatchObject({ id: 'plain', output: { text: 'ONE CALL', words: 2 } })
  }, 60_000)

  it('says so when there is no agent at the URL, or it wants a token not given', async () => {
    const nothing = await runCli(['worker', '--admin', '/ip4/127.0.0.1/tcp/9/p2p/12D3KooWJWo1tAVnZkt5n7NMP7uRx8TDvsddQZJo1yGnxJgbh1Ue', '--name', 'a', '--skill', '1', '--a2a', 'http://127.0.0.1:9'])
    expect(nothing).toMatchObject({ code: 1, stderr: expect.stringMatching(/--a2a http:\/\/127\.0\.0\.1:9: cannot read its agent card/) })
    const agent = await remoteAgent()
    agents.push(agent.child)
    const noToken = await runCli(['worker', '--admin', '/ip4/127.0.0.1/tcp/9/p2p/12D3KooWJWo1tAVnZkt5n7NMP7uRx8TDvsddQZJo1yGnxJgbh1Ue', '--name', 'a', '--skill', '1', '--a2a', agent.url])
    expect(noToken).toMatchObject({ code: 1, stderr: expect.stringMatching(/cannot read its agent card.*401/s) })
    // a card that says it wants a bearer token, read without one
    const says = await remoteAgent({ AGENT_TOKEN: '', AGENT_SCHEME: 'bearer' })
    agents.push(says.child)
    const told = await runCli(['worker', '--admin', '/ip4/127.0.0.1/tcp/9/p2p/12D3KooWJWo1tAVnZkt5n7NMP7uRx8TDvsddQZJo1yGnxJgbh1Ue', '--name', 'a', '--skill', '1', '--a2a', says.url])
    expect(told).toMatchObject({ code: 1, stderr: expect.stringMatching(/agent translator wants a bearer token \(its card says so\): give --a2a-token FILE/) })
    // a remote agent does not take over a type the worker runs itself
    const taker = await remoteAgent({ AGENT_TOKEN: '', AGENT_SKILL: 'simulate' })
    agents.push(taker.child)
    const taken = await runCli(['worker', '--admin', '/ip4/127.0.0.1/tcp/9/p2p/12D3KooWJWo1tAVnZkt5n7NMP7uRx8TDvsddQZJo1yGnxJgbh1Ue', '--name', 'a', '--skill', '1', '--a2a', taker.url])
    expect(taken).toMatchObject({ code: 2, stderr: expect.stringMatching(/an agent offers the skill "simulate", which this worker runs itself \(built in\)/) })
  }, 60_000)
})

async function taskFile (dir: string, tasks: unknown[]): Promise<string> {
  const file = join(dir, `tasks-${Math.random().toString(36).slice(2)}.json`)
  await writeFile(file, JSON.stringify(tasks))
  return file
}
