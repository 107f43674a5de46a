import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { cliProcesses } from '../helpers/cli.js'

const { start } = cliProcesses()
const HANDLERS = fileURLToPath(new URL('../fixtures/download-handlers.mjs', import.meta.url))

/** The workflow docs/task-files.md shows, as it stands there. */
async function docsWorkflow (): Promise<string> {
  const page = await readFile(new URL('../../docs/task-files.md', import.meta.url), 'utf8')
  const yaml = /```yaml\n(- task_id: fetch[\s\S]*?)```/.exec(page)?.[1]
  if (yaml == null) throw new Error('docs/task-files.md has no workflow starting with "- task_id: fetch"')
  return yaml
}

describe('tasks go only where they can run', () => {
  it("runs the workflow of docs/task-files.md on a mixed set of workers: no download ever reaches a worker without that handler", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-routing-'))
    const file = join(dir, 'workflow.yaml')
    await writeFile(file, await docsWorkflow())
    const admin = start(['admin', '--tasks', file, '--expected-workers', '3', '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-when-done', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    // the plain worker could run everything but downloads, and is the first choice of skill fit for them
    start(['worker', '--admin', addrs[0], '--name', 'plain', '--skill', '9', '--capabilities', 'gpu', '--json'])
    start(['worker', '--admin', addrs[0], '--name', 'writer', '--skill', '9', '--json'])
    start(['worker', '--admin', addrs[0], '--name', 'fetcher', '--skill', '10', '--handlers', HANDLERS, '--json'])
    expect(await admin.exit()).toBe(0)
    const summary = admin.events.at(-1)!
    expect(summary).toMatchObject({ event: 'summary', total: 4, succeeded: 4 })
    expect(Object.fromEntries(summary.tasks.map((t: { id: string, worker: string }) => [t.id, t.worker]))).toMatchObject({ fetch: 'fetcher', report: 'writer' })
    const assigned = admin.events.filter(e => e.event === 'task:assigned')
    expect(assigned.filter(e => e.worker === 'plain').map(e => e.taskId)).not.toContain('fetch')
    expect(assigned.filter(e => e.taskId === 'fetch').map(e => e.worker)).toEqual(['fetcher'])
  })

  it('says why a task waits, from the CLI: no connected worker handles its type', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-routing-'))
    const file = join(dir, 'tasks.json')
    await writeFile(file, JSON.stringify([{ id: 'fetch', type: 'download' }, { id: 'plain' }]))
    const admin = start(['admin', '--tasks', file, '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    start(['worker', '--admin', addrs[0], '--name', 'plain', '--skill', '1', '--json'])
    await admin.waitForEvent('task:completed', e => e.id === 'plain')
    const tasks = start(['tasks', '--admin', addrs[0], '--state', 'ready'])
    expect(await tasks.exit()).toBe(0)
    expect(tasks.lines.join('\n')).toMatch(/fetch .*no connected worker handles type "download"/)
    const status = start(['status', '--admin', addrs[0]])
    expect(await status.exit()).toBe(0)
    expect(status.lines).toContain('! 1 task waits: no connected worker handles type "download"')
  })
})
