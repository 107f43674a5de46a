import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'

describe('taskmesh simulate', () => {
  it('runs the tutorial and prints the table', async () => {
    const { code, stdout } = await runCli(['simulate', '--task-time', '0.01'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/│ 1\s+│ Simple calculation\s+│\s+2 │ Junior\s+│\s+3 │ ✓ succeeded/)
    expect(stdout).toMatch(/│ 3\s+│ ML model training\s+│\s+8 │ Senior\s+│\s+9 │ ✓ succeeded/)
    expect(stdout).toMatch(/3 tasks: 3 succeeded, 0 failed/)
  })

  it('npm run simulate, as the quick start runs it (from the sources, through a pipe): the table comes out whole', async () => {
    const { spawn } = await import('node:child_process')
    const root = new URL('../..', import.meta.url).pathname
    const child = spawn(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'scripts/simulate.ts'), '--task-time', '0.01'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
    const code = await new Promise(resolve => child.once('close', resolve))
    expect(code).toBe(0)
    expect(stdout).toMatch(/│ 3\s+│ ML model training\s+│\s+8 │ Senior\s+│\s+9 │ ✓ succeeded/)
    expect(stdout).toMatch(/3 tasks: 3 succeeded, 0 failed\ndone in [\d.]+ m?s\n$/)
  })

  it('shows with round robin the failure that skill fit avoids, and exits 1', async () => {
    const { code, events } = await runCli(['simulate', '--strategy', 'round-robin', '--task-time', '0', '--json'])
    expect(code).toBe(1)
    expect(events.at(-1)).toMatchObject({
      event: 'summary',
      failed: 1,
      tasks: [{ id: '1', worker: 'Intermediate', status: 'succeeded' }, { id: '2', worker: 'Junior', status: 'failed' }, { id: '3', worker: 'Senior', status: 'succeeded' }]
    })
  })

  it('with --late-join a task waits until a capable worker joins', async () => {
    const { code, events } = await runCli(['simulate', '--late-join', '--task-time', '0', '--json'])
    expect(code).toBe(0)
    const names = events.map(e => e.event === 'worker:connected' ? `joined ${e.name}` : e.event === 'task:completed' ? `done ${e.id}` : undefined).filter(Boolean)
    // Senior joins only after the others have done all they can; then task 3 runs
    expect(names.indexOf('joined Senior')).toBeGreaterThan(Math.max(names.indexOf('done 1'), names.indexOf('done 2')))
    expect(names.at(-1)).toBe('done 3')
  })

  it('--processes runs each worker in its own OS process', async () => {
    const { code, events } = await runCli(['simulate', '--processes', '--workers', '4', '--tasks', '12', '--task-time', '0', '--json'])
    expect(code).toBe(0)
    expect(events.at(-1)).toMatchObject({ event: 'summary', total: 12, succeeded: 12 })
    const peers = new Set(events.filter(e => e.event === 'worker:connected').map(e => e.id))
    expect(peers.size).toBe(4)
  })
})
