import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliProcesses, runCli } from '../helpers/cli.js'

const { start } = cliProcesses()
const GiB = 1024 ** 3

describe('resources: tasks run where what they need is free', () => {
  it('a task needing more memory than any worker offers waits and says why; it runs once a big enough worker joins', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-resources-'))
    const file = join(dir, 'tasks.yaml')
    // the task file's own words: resources with units, and the coordinator's cpu_required / memory_required
    await writeFile(file, [
      '- task_id: train',
      '  resources: { memory: 16GiB, gpu: 1 }',
      '- task_id: a',
      '  cpu_required: 2',
      '  payload: { durationMs: 200 }',
      '- task_id: b',
      '  cpu_required: 2',
      '  memory_required: 512MiB',
      '  payload: { durationMs: 200 }',
      ''
    ].join('\n'))
    const admin = start(['admin', '--tasks', file, '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    const at = addrs[0]
    // two cores: a and b each need both, so they run one after the other though it runs 4 at once
    start(['worker', '--admin', at, '--name', 'laptop', '--skill', '5', '--max-concurrent', '4', '--resources', 'cpu=2,memory=8GiB', '--json'])
    await admin.waitForEvent('task:completed', e => e.id === 'b')
    await admin.waitForEvent('task:completed', e => e.id === 'a')
    const assigned = admin.events.filter(e => e.event === 'task:assigned' || e.event === 'task:completed').map(e => `${e.event}:${e.taskId ?? e.id}`)
    const first = assigned.indexOf('task:assigned:a') < assigned.indexOf('task:assigned:b') ? 'a' : 'b'
    const second = first === 'a' ? 'b' : 'a'
    expect(assigned.indexOf(`task:completed:${first}`)).toBeLessThan(assigned.indexOf(`task:assigned:${second}`))

    const status = await runCli(['status', '--admin', at])
    expect(status.stdout).toContain('! 1 task waits: no connected worker offers gpu 1, memory 16 GiB (the most one offers: gpu 0, memory 8 GiB)')
    expect(status.stdout).toMatch(/laptop .*cpu 0\/2, memory 0 B\/8 GiB/)
    const json = await runCli(['tasks', '--admin', at, '--state', 'ready', '--json'])
    expect(json.events[0]!.tasks).toEqual([expect.objectContaining({ id: 'train', waitingFor: expect.stringMatching(/offers gpu 1, memory 16 GiB/) })])
    const view = await runCli(['workers', '--admin', at, '--json'])
    expect(view.events[0]!.workers[0]).toMatchObject({ name: 'laptop', resources: { cpu: 2, memory: 8 * GiB }, resourcesHeld: { cpu: 0, memory: 0 } })

    start(['worker', '--admin', at, '--name', 'gpu-box', '--skill', '5', '--resources', 'cpu=16,memory=64GiB,gpu=1', '--json'])
    expect(await admin.waitForEvent('task:completed', e => e.id === 'train')).toMatchObject({ status: 'succeeded', worker: 'gpu-box' })
  }, 60_000)

  it('a worker declares what its machine has when it says nothing, and refuses a --resources it cannot read', async () => {
    const bad = await runCli(['worker', '--admin', '/ip4/127.0.0.1/tcp/9/p2p/12D3KooWGzh5E5SrCodfqgKEDxQ9ZzkJY8Q1vHjqNrHyGZkcRoFX', '--name', 'w', '--skill', '1', '--resources', 'cpu=8,memory=lots'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--resources.*"lots" is not an amount: write a number, or a size such as 512MiB, 4GiB, 8GB/)
    const noEquals = await runCli(['worker', '--admin', '/ip4/127.0.0.1/tcp/9/p2p/12D3KooWGzh5E5SrCodfqgKEDxQ9ZzkJY8Q1vHjqNrHyGZkcRoFX', '--name', 'w', '--skill', '1', '--resources', 'gpu'])
    expect(noEquals.stderr).toMatch(/"gpu" is not name=amount, as in cpu=8,memory=32GiB,gpu=1/)

    const admin = start(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    start(['worker', '--admin', addrs[0], '--name', 'plain', '--skill', '1', '--json'])
    await admin.waitForEvent('worker:connected')
    const { events } = await runCli(['workers', '--admin', addrs[0], '--json'])
    const { availableParallelism, totalmem } = await import('node:os')
    expect(events[0]!.workers[0].resources).toEqual({ cpu: availableParallelism(), memory: totalmem() })
  }, 60_000)
})
