import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { cliProcesses, runCli } from '../helpers/cli.js'
import { commandMissing, requirement } from '../helpers/system.js'

const { start } = cliProcesses()
const python = requirement('the batch test with a Python agent', commandMissing('python3', ['--version'], 'install Python 3.9 or newer (apt-get install python3)'))
const HANDLERS = fileURLToPath(new URL('../fixtures/embed-handlers.mjs', import.meta.url))
const BATCH_AGENT = fileURLToPath(new URL('../fixtures/python/batch_agent.py', import.meta.url))

/** Runs 40 embed tasks (one that fails) on a worker started with `worker`, and returns what each ended with. */
async function embedRun (worker: string[]): Promise<{ outputs: Array<{ batch: number }>, failed: Array<{ id: string, error: string }>, warnings: string }> {
  const admin = start(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
  const { addrs } = await admin.waitForEvent('listening')
  const w = start(['worker', '--admin', addrs[0], '--name', 'embedder', '--skill', '1', '--max-concurrent', '16', ...worker, '--json'])
  await admin.waitForEvent('worker:connected')
  const tasks = Array.from({ length: 40 }, (_, i) => ({ id: `e${i}`, type: 'embed', payload: i === 7 ? { fail: true } : { text: 'x'.repeat(i) } }))
  const file = join(await mkdtemp(join(tmpdir(), 'taskmesh-batches-')), 'tasks.json')
  await writeFile(file, JSON.stringify(tasks))
  const submitted = await runCli(['submit', '--tasks', file, '--admin', addrs[0], '--wait', '--json'])
  expect(submitted.code).toBe(1)
  const completed = admin.events.filter(e => e.event === 'task:completed')
  admin.kill('SIGTERM')
  await admin.exited
  return {
    outputs: completed.filter(e => e.status === 'succeeded').map(e => e.output),
    failed: completed.filter(e => e.status === 'failed').map(e => ({ id: e.id, error: e.error })),
    warnings: w.stderr
  }
}

describe('batches for handlers that want them', () => {
  it('a JavaScript batch handler (--handlers) gets the tasks running at once together; each task ends on its own', async () => {
    const { outputs, failed } = await embedRun(['--handlers', HANDLERS])
    expect(outputs).toHaveLength(39)
    expect(failed).toEqual([{ id: 'e7', error: 'UnrecoverableError: no vector for e7' }])
    // the worker earns its window as results come in: batches grow with it
    expect(Math.max(...outputs.map(o => o.batch))).toBeGreaterThan(1)
  }, 60_000)

  it('says so when the worker runs fewer at once than a batch may hold', async () => {
    const admin = start(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    const w = start(['worker', '--admin', addrs[0], '--name', 'small', '--skill', '1', '--max-concurrent', '4', '--handlers', HANDLERS, '--json'])
    await admin.waitForEvent('worker:connected')
    expect(w.stderr).toMatch(/handler "embed" takes batches of up to 16, but this worker runs 4 at once: its batches hold 4 at most \(give --max-concurrent 16\)/)
  }, 60_000)

  it.skipIf(python.missing != null)(`a Python batch handler (--exec, @agent.batch_handler) likewise${python.note}`, async () => {
    const { outputs, failed } = await embedRun(['--exec', `python3 ${BATCH_AGENT}`])
    expect(outputs).toHaveLength(39)
    expect(failed).toEqual([{ id: 'e7', error: 'UnrecoverableError: no vector for e7' }])
    expect(Math.max(...outputs.map(o => o.batch))).toBeGreaterThan(1)
  }, 60_000)
})
