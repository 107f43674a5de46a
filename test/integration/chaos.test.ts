import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TaskManager } from '../../src/manager/task-manager.js'
import { mulberry32 } from '../../src/simulation/scenario.js'
import { cliProcesses, type CliProcess } from '../helpers/cli.js'
import { acceptedSuccesses } from '../helpers/journal.js'

const processes = cliProcesses()

describe('chaos: workers killed with SIGKILL and restarted at random moments', () => {
  it('completes every one of 2,000 tasks, none lost, none accepted twice', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'taskmesh-chaos-'))
    const random = mulberry32(2026)
    const tasks = Array.from({ length: 2000 }, (_, i) => ({ id: `c${i}`, payload: { durationMs: 2 + Math.floor(random() * 20) } }))
    const manager = new TaskManager(tasks, { dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], maxLostAttempts: 1000 })
    await manager.start()
    const address = manager.details().addresses[0]!
    const start = (i: number): CliProcess => processes.start(['worker', '--admin', address, '--name', `chaos-${i}`, '--skill', '10', '--max-concurrent', '8', '--quiet'])
    const workers = [0, 1, 2, 3].map(start)

    // the chaos follows progress, not the clock: after a random number of further completions, a random
    // worker is killed without warning and a new one takes its place
    let completed = 0
    let nextKill = 100 + Math.floor(random() * 150)
    let kills = 0
    let lost = 0
    manager.addEventListener('task:attempt-ended', ({ detail }) => { if (detail.outcome === 'lost') lost++ })
    manager.addEventListener('task:completed', () => {
      if (++completed < nextKill || completed > 1800) return
      nextKill = completed + 100 + Math.floor(random() * 150)
      const i = Math.floor(random() * workers.length)
      workers[i]!.kill('SIGKILL')
      workers[i] = start(i)
      kills++
    })

    const summary = await manager.whenDone()
    await manager.stop()
    expect(summary).toMatchObject({ total: 2000, succeeded: 2000, failed: 0, skipped: 0, cancelled: 0 })
    expect(kills).toBeGreaterThanOrEqual(6)
    // the kills did hit running work, which was delivered again
    expect(lost).toBeGreaterThan(0)
    const accepted = acceptedSuccesses(dataDir)
    expect(accepted.size).toBe(2000)
    expect([...accepted.values()].every(n => n === 1)).toBe(true)
  }, 120_000)
})
