import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { Network } from '../helpers/net.js'
import type { TaskManager } from '../../src/manager/task-manager.js'

/** Dedup keys through the CLI and the HTTP API, on a real admin and worker. */
describe('dedup keys', () => {
  const net = new Network()
  let manager: TaskManager
  beforeAll(async () => {
    manager = await net.admin([], { listen: ['/ip4/127.0.0.1/tcp/0'], http: { port: 0 } })
    await net.worker(manager, 'w', 5)
  })
  afterAll(async () => { await net.stop() })

  it('a second submit with a held key gets the first task: the CLI says so and --wait waits for that task', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-dedup-'))
    const first = join(dir, 'first.json')
    const second = join(dir, 'second.json')
    await writeFile(first, JSON.stringify([{ id: 'report-1', dedup_key: 'nightly-report', dedup_ttl: 3600, payload: { durationMs: 300 } }]))
    await writeFile(second, JSON.stringify([{ id: 'report-2', dedup_key: 'nightly-report' }]))
    const at = manager.details().addresses[0]!
    expect((await runCli(['submit', '--admin', at, '--tasks', first])).code).toBe(0)
    const again = await runCli(['submit', '--admin', at, '--tasks', second, '--wait'])
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/report-2: its dedup key is held by task report-1/)
    expect(manager.getTask('report-1').state).toBe('succeeded')
    expect(() => manager.getTask('report-2')).toThrow(/unknown task "report-2"/)
    // and found by a search, from the CLI
    expect((await runCli(['tasks', '--search', 'REPORT-', '--admin', at, '--json'])).events[0]).toMatchObject({ total: 1, tasks: [{ id: 'report-1' }] })

    const res = await fetch(`${manager.details().http!}/api/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ id: 'report-3', dedup_key: 'nightly-report' }]) })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ added: [], existing: [], deduplicated: [{ id: 'report-3', task: 'report-1' }], debounced: [] })
  })
})
