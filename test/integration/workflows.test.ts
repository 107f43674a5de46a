import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadTaskFile } from '../../src/tasks/load.js'
import { BUILT_IN_STRATEGIES, customStrategy } from '../../src/core/strategies/index.js'
import { Network, nextEvent, record } from '../helpers/net.js'
import { runCli } from '../helpers/cli.js'
import type { TaskHandler } from '../../src/worker/handlers.js'

const fixture = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname

/** A handler that says who ran the task and what it received from the tasks before it. */
const echo: TaskHandler = (task) => ({ by: task.worker.name, task: task.id, received: task.inputs })

let net: Network
afterEach(async () => { await net.stop() })

describe('the coordinator\'s workflows, from their own files', () => {
  it('runs the simple task chain in order, forwarding research to analysis', async () => {
    net = new Network()
    const manager = await net.admin(await loadTaskFile(fixture('simple-chain.yaml')))
    const order = record(manager, ['task:completed'])
    await net.worker(manager, 'CrewAIWorker', 1, { handlers: { simulate: echo } })
    await net.worker(manager, 'LangchainWorker', 1, { handlers: { simulate: echo } })
    const summary = await manager.whenDone()
    expect(order.map(e => e.detail.id)).toEqual(['research', 'analysis'])
    const research = summary.tasks.find(t => t.id === 'research')!
    expect(research).toMatchObject({ worker: 'LangchainWorker', output: { by: 'LangchainWorker', received: {} } })
    expect(summary.tasks.find(t => t.id === 'analysis')).toMatchObject({
      worker: 'CrewAIWorker',
      output: { by: 'CrewAIWorker', received: { research: research.output } }
    })
  })

  it('runs the complex workflow\'s steps in dependency order, each on its agent', async () => {
    net = new Network()
    const manager = await net.admin(await loadTaskFile(fixture('complex-workflow.yaml')))
    const order = record(manager, ['task:completed'])
    for (const agent of ['CrewAIWorker', 'AutogenWorker', 'LangchainWorker']) await net.worker(manager, agent, 1, { handlers: { simulate: echo } })
    const summary = await manager.whenDone()
    expect(order.map(e => [e.detail.id, e.detail.worker])).toEqual([
      ['data_collection', 'LangchainWorker'], ['preprocessing', 'AutogenWorker'], ['analysis', 'CrewAIWorker']
    ])
    const out = Object.fromEntries(summary.tasks.map(t => [t.id, t.output]))
    expect(out.preprocessing).toMatchObject({ received: { data_collection: out.data_collection } })
    expect(out.analysis).toMatchObject({ received: { preprocessing: out.preprocessing } })
  })
})

describe('time on real nodes', () => {
  it('times out an attempt (its handler sees the abort) and the retry succeeds', async () => {
    net = new Network()
    const aborts: string[] = []
    const manager = await net.admin([{ id: 'flaky', type: 'work', timeout_ms: 300, retry_policy: { max_attempts: 2, backoff: 'fixed', initial_delay: 0 } }])
    await net.worker(manager, 'w', 1, {
      handlers: {
        work: async (task, { signal }) => {
          if (task.attempt > 1) return { attempt: task.attempt }
          return await new Promise((_resolve, reject) => signal.addEventListener('abort', () => {
            aborts.push((signal.reason as Error).message)
            reject(signal.reason)
          }))
        }
      }
    })
    const summary = await manager.whenDone()
    expect(summary.tasks[0]).toMatchObject({ status: 'succeeded', attempts: 2, output: { attempt: 2 } })
    expect(manager.getTask('flaky').attempts.map(a => [a.attempt, a.outcome, a.error])).toEqual([[1, 'timed-out', 'timed out after 300 ms'], [2, 'succeeded', undefined]])
    expect(aborts).toEqual(['timed out after 300 ms'])
  })

  it('cancels a running task: its handler is aborted and its dependents are skipped', async () => {
    net = new Network()
    const manager = await net.admin([{ id: 'long', type: 'work' }, { id: 'after', depends_on: ['long'] }])
    const aborted = new Promise<string>(resolve => {
      void net.worker(manager, 'w', 1, { handlers: { work: async (_t, { signal }) => new Promise((_r, reject) => signal.addEventListener('abort', () => { resolve((signal.reason as Error).message); reject(signal.reason) })) } })
    })
    await nextEvent(manager, 'task:assigned', d => d.taskId === 'long')
    expect(manager.cancel('long', 'no longer needed')).toBe(true)
    expect(await aborted).toBe('no longer needed')
    const summary = await manager.whenDone()
    expect(summary.tasks.map(t => [t.id, t.status, t.error])).toEqual([['long', 'cancelled', 'no longer needed'], ['after', 'skipped', 'dependency "long" cancelled']])
  })

  it('fails a task no worker can run after the grace period, when told to', async () => {
    net = new Network()
    const manager = await net.admin([{ id: 'render', requires: ['gpu'] }, { id: 'plain' }], { onNoWorker: 'fail', noWorkerGraceMs: 200 })
    await net.worker(manager, 'cpu-only', 5)
    const summary = await manager.whenDone()
    expect(summary.tasks.find(t => t.id === 'render')).toMatchObject({ status: 'failed', error: expect.stringMatching(/^no connected worker has capabilities gpu after waiting 200 ms/) })
    expect(summary.tasks.find(t => t.id === 'plain')).toMatchObject({ status: 'succeeded' })
  })

  it('takes a worker offline and back (update_agent_status): offline, it gets nothing new', async () => {
    net = new Network()
    const manager = await net.admin([])
    await net.worker(manager, 'w', 5)
    manager.updateWorker('w', { online: false })
    manager.submit([{ id: 'later' }])
    // a scheduling pass ran before the submission was announced
    await nextEvent(manager, 'task:submitted', d => d.taskId === 'later')
    expect(manager.getTask('later').state).toBe('ready')
    manager.updateWorker('w', { online: true })
    expect((await manager.whenDone()).tasks[0]).toMatchObject({ id: 'later', worker: 'w', status: 'succeeded' })
    await expect(Promise.resolve().then(() => manager.updateWorker('nobody', { online: false }))).rejects.toMatchObject({ name: 'UnknownWorkerError' })
  })
})

describe('every strategy on the same workload', () => {
  // twelve tasks needing some capabilities and skill; four workers of different skill, capabilities, priority
  const tasks = Array.from({ length: 12 }, (_, i) => ({ id: `t${i}`, difficulty: [1, 4, 7][i % 3], requires: i % 4 === 0 ? ['gpu'] : [], payload: { durationMs: 5 } }))
  const workers: Array<[string, number, string[], number]> = [['ada', 9, ['gpu'], 1], ['bob', 5, [], 3], ['cy', 8, ['gpu'], 2], ['dee', 2, [], 0]]

  for (const strategy of BUILT_IN_STRATEGIES) {
    it(`${strategy}: every task goes to a worker holding its capabilities${['skill-fit', 'learned'].includes(strategy) ? ', and skilled enough' : ''}`, async () => {
      net = new Network()
      const manager = await net.admin(tasks, { expectedWorkers: 4, strategy })
      for (const [name, skill, capabilities, priority] of workers) await net.worker(manager, name, skill, { capabilities, priority })
      const summary = await manager.whenDone()
      const byName = new Map(workers.map(w => [w[0], w]))
      for (const t of summary.tasks) {
        const spec = tasks.find(s => s.id === t.id)!
        const [, skill, caps] = byName.get(t.worker!)!
        for (const need of spec.requires) expect(caps).toContain(need)
        if (strategy === 'skill-fit' || strategy === 'learned') {
          expect(t.status).toBe('succeeded')
          expect(skill).toBeGreaterThanOrEqual(spec.difficulty!)
        }
      }
      const ran = new Set(summary.tasks.map(t => t.worker))
      if (strategy === 'round-robin' || strategy === 'least-loaded') expect(ran.size).toBe(4)
    })
  }

  it('custom (a function through the library API): decides among the capable candidates', async () => {
    net = new Network()
    const asked: string[][] = []
    const custom = customStrategy((task, candidates) => {
      asked.push(candidates.map(c => c.name))
      return candidates.find(c => c.name === 'bob') ?? candidates[0]
    })
    // every worker holds what it asks for from the start (on an open network it would earn it)
    const manager = await net.admin(tasks, { expectedWorkers: 4, strategy: custom, initialWindow: 12 })
    for (const [name, skill, capabilities] of workers) await net.worker(manager, name, skill, { capabilities, maxConcurrent: name === 'bob' ? 12 : 1 })
    const summary = await manager.whenDone()
    // bob, always free, gets every task he can hold; the gpu tasks go to gpu workers
    for (const t of summary.tasks) {
      if (tasks.find(s => s.id === t.id)!.requires.includes('gpu')) expect(['ada', 'cy']).toContain(t.worker)
      else expect(t.worker).toBe('bob')
    }
    expect(asked.length).toBeGreaterThanOrEqual(12)
    expect(asked.every(names => names.length > 0)).toBe(true)
  })
})

describe('--strategy ./module.js', () => {
  it('uses the module\'s default export to choose, here the most skilled capable worker', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-strategy-'))
    const file = join(dir, 'most-skilled.mjs')
    await writeFile(file, 'export default { name: "most-skilled", skillAware: true, select: (task, candidates) => candidates.reduce((a, b) => b.skill > a.skill ? b : a) }\n')
    const { code, events } = await runCli(['simulate', '--strategy', file, '--task-time', '0', '--json'])
    expect(code).toBe(0)
    // unlike skill fit, the first task goes to Senior; the third waits for him
    expect(events.at(-1)!.tasks.map((t: { worker: string }) => t.worker)).toEqual(['Senior', 'Intermediate', 'Senior'])
  })

  it('refuses an unknown strategy name with the list of choices', async () => {
    const { code, stderr } = await runCli(['simulate', '--strategy', 'fastest'])
    expect(code).toBe(2)
    expect(stderr).toMatch(/unknown strategy "fastest": use one of skill-fit, capability-match, round-robin, least-loaded, priority, learned, or a path to a module/)
  })
})
