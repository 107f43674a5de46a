import { spawn } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { acceptedSuccesses } from '../helpers/journal.js'
import { BIN, cliProcesses } from '../helpers/cli.js'
import { Network, record } from '../helpers/net.js'

// tasks that end when the test says so: by a signal, or once a file exists
const HANDLERS = fileURLToPath(new URL('../fixtures/gated-handlers.mjs', import.meta.url))

let net: Network | undefined
const { start } = cliProcesses()
afterEach(async () => {
  await net?.stop()
})

describe('graceful shutdown', () => {
  it('SIGTERM on a worker: no new work, the running task finishes and is reported, then it leaves', async () => {
    net = new Network()
    // the first task runs until the worker is told to leave; the other two are for whoever stays
    const manager = await net.admin([{ id: 'g0', type: 'untilSigterm' }, { id: 'g1' }, { id: 'g2' }])
    const assigned = record(manager, ['task:assigned'])
    const worker = start(['worker', '--admin', manager.details().addresses[0]!, '--name', 'leaving', '--skill', '1', '--handlers', HANDLERS, '--json'])
    await worker.waitForEvent('task:started', e => e.taskId === 'g0')
    worker.kill('SIGTERM')
    expect(await worker.exit()).toBe(0)
    const finished = worker.events.filter(e => e.event === 'task:finished')
    expect(finished).toEqual([expect.objectContaining({ success: true })])
    expect(worker.events.at(-1)).toMatchObject({ event: 'stopped', reason: 'signal' })
    // the admin recorded its result and gave it nothing else
    expect(manager.getTask(finished[0]!.taskId).state).toBe('succeeded')
    expect(assigned.filter(e => e.detail.worker === 'leaving')).toHaveLength(1)
    await net.worker(manager, 'staying', 1)
    expect((await manager.whenDone()).succeeded).toBe(3)
  })

  it('started through npm, a worker stops when npm goes away without passing the signal on (npx taskmesh, then SIGTERM)', async () => {
    // npm starts the bin through a shell; "; true" keeps the shell in between, as npm's is
    const shell = spawn('sh', ['-c', `"${process.execPath}" "${BIN}" worker --admin /ip4/127.0.0.1/tcp/9/p2p/12D3KooWGzh5E5SrCodfqgKEDxQ9ZzkJY8Q1vHjqNrHyGZkcRoFX --name orphan --skill 1 --json; true`], {
      env: { ...process.env, npm_command: 'exec' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let out = ''
    shell.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
    // the worker's stdout closes when the worker process ends, whoever its parent is by then
    const ended = new Promise<void>(resolve => { shell.stdout.once('close', resolve) })
    await new Promise<void>(resolve => {
      const started = (): void => { if (out.includes('"event":"started"')) { shell.stdout.off('data', started); resolve() } }
      shell.stdout.on('data', started)
    })
    shell.kill('SIGKILL')
    await ended
    expect(out).toMatch(/"event":"stopped","reason":"signal"/)
  })

  it('SIGTERM on the admin: it stops assigning, waits for running tasks, journals them, and exits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-drain-'))
    const tasks = join(dir, 'tasks.json')
    // the tasks run until the gate file exists, which the test makes once the admin is stopping
    const gate = join(dir, 'gate')
    await writeFile(tasks, JSON.stringify(Array.from({ length: 6 }, (_, i) => ({ id: `d${i}`, type: 'gated', payload: { gate } }))))
    const admin = start(['admin', '--tasks', tasks, '--data-dir', join(dir, 'state'), '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    start(['worker', '--admin', addrs[0], '--name', 'w', '--skill', '1', '--max-concurrent', '2', '--handlers', HANDLERS, '--json'])
    await admin.waitUntil(() => admin.events.filter(e => e.event === 'task:assigned').length === 2)
    admin.kill('SIGTERM')
    expect(await admin.waitForEvent('stopping')).toMatchObject({ running: 2 })
    await writeFile(gate, '')
    expect(await admin.exit()).toBe(0)
    expect(admin.events.at(-1)).toMatchObject({ event: 'stopped', reason: 'signal' })
    const assigned = admin.events.filter(e => e.event === 'task:assigned').map(e => e.taskId)
    expect(assigned).toHaveLength(2)
    // both running tasks finished during the drain, and their results are in the journal
    const succeeded = [...acceptedSuccesses(join(dir, 'state'))].flatMap(([id, n]) => n === 1 ? [id] : [])
    expect(succeeded.sort()).toEqual(assigned.sort())
  })
})
