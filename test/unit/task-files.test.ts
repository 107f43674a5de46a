import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadTaskFile, parseTasks } from '../../src/tasks/load.js'
import { isClosedGraph, normalizeTasks, toTaskSpecs } from '../../src/tasks/normalize.js'
import { Scheduler } from '../../src/core/scheduler.js'

const fixture = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname

function problemsOf (input: unknown): string[] {
  return normalizeTasks(input).problems.map(p => `${p.path}: ${p.message}`)
}

describe('task files in the formats users already write', () => {
  it('reads the tutorial format, numeric ids as strings', async () => {
    const specs = await loadTaskFile(fixture('tutorial.json'))
    expect(specs.map(s => [s.id, s.difficulty, s.type, s.priority])).toEqual([['1', 2, 'simulate', 5], ['2', 5, 'simulate', 5], ['3', 8, 'simulate', 5]])
  })

  it('reads the coordinator\'s simple task chain as written in its documentation', async () => {
    const specs = await loadTaskFile(fixture('simple-chain.yaml'))
    expect(specs).toMatchObject([
      { id: 'research', worker: 'LangchainWorker', dependsOn: [] },
      { id: 'analysis', worker: 'CrewAIWorker', dependsOn: ['research'] }
    ])
  })

  it('expands the complex workflow\'s collaborative task into its steps', async () => {
    const specs = await loadTaskFile(fixture('complex-workflow.yaml'))
    expect(specs.map(s => [s.id, s.worker, s.dependsOn])).toEqual([
      ['data_collection', 'LangchainWorker', []],
      ['preprocessing', 'AutogenWorker', ['data_collection']],
      ['analysis', 'CrewAIWorker', ['preprocessing']]
    ])
  })

  it('maps timeout seconds, priority and retry_policy', async () => {
    const [spec] = await loadTaskFile(fixture('coordinator.json'))
    expect(spec).toMatchObject({ id: 'unique_id', type: 'research', timeoutMs: 300_000, priority: 8, retry: { maxAttempts: 3, backoff: 'exponential' } })
  })

  it('reads the distribution document\'s words: task_type, task_data, priority as a word, its strategy names', () => {
    const { specs, problems } = normalizeTasks([
      { task_id: 'a', task_type: 'code_generation', task_data: { prompt: 'Write a function' }, priority: 'high', strategy: 'load_balanced' },
      { task_id: 'b', priority: 'critical', distribution_strategy: 'capability_match' },
      { task_id: 'c', priority: 'low', strategy: 'skill-fit' }
    ])
    expect(problems).toEqual([])
    expect(specs.map(s => [s.id, s.type, s.payload, s.priority, s.strategy])).toEqual([
      ['a', 'code_generation', { prompt: 'Write a function' }, 8, 'least-loaded'],
      ['b', 'simulate', undefined, 10, 'capability-match'],
      ['c', 'simulate', undefined, 2, 'skill-fit']
    ])
    expect(problemsOf([{ id: 'd', priority: 'urgent' }, { id: 'e', type: 'x', task_type: 'y' }])).toEqual([
      'tasks[0].priority: must be 1 (lowest) to 10, or one of low, medium, normal, high, critical',
      'tasks[1].task_type: same field as "type"; give only one of type, task_type'
    ])
  })

  it('orders steps: each after the previous stage, parallel steps alongside, named steps by default', () => {
    const { specs, problems } = normalizeTasks({
      tasks: [
        { task_id: 'wf', type: 'collaborative_task', priority: 9, steps: [{ task_id: 'a' }, { task_id: 'b' }, { task_id: 'c', parallel: true }, {}] },
        { id: 'after', depends_on: ['wf'] }
      ]
    })
    expect(problems).toEqual([])
    expect(specs.map(s => [s.id, s.dependsOn, s.priority])).toEqual([
      ['a', [], 9], ['b', ['a'], 9], ['c', ['a'], 9], ['wf.step4', ['b', 'c'], 9], ['after', ['wf.step4'], 5]
    ])
  })
})

describe('task file validation', () => {
  it('reads a field given under any of its names, and every field of a task that is not a plain object', () => {
    const [given] = toTaskSpecs([{ id: 'a', type: undefined, task_type: 'gpu', data: { n: 1 }, distribution_strategy: 'round_robin' }])
    expect([given!.type, given!.payload, given!.strategy]).toEqual(['gpu', { n: 1 }, 'round-robin'])
    // a class's fields are its prototype's getters, which `for…in` does not list
    class Job {
      get id (): string { return 'j' }
      get task_type (): string { return 'gpu' }
      get priority (): string { return 'high' }
      get payload (): unknown { return { n: 2 } }
      get requires (): string[] { return ['cuda'] }
    }
    const [job] = toTaskSpecs([new Job() as unknown as Record<string, unknown>])
    expect([job!.id, job!.type, job!.priority, job!.payload, job!.requires]).toEqual(['j', 'gpu', 8, { n: 2 }, ['cuda']])
    expect(problemsOf([{ id: 'b', type: 'x', taskType: 'y', timeout: 1, timeoutMs: 5 }])).toEqual([
      'tasks[0].taskType: same field as "type"; give only one of type, taskType'
    ])
  })

  it('reports every problem at once, each with its path', () => {
    expect(problemsOf([
      { id: 'a', priority: 11 },
      { task_id: 'b', depends_on: ['x'], difficulty: -1 },
      { id: 'c', depend_on: ['a'] },
      { description: 'no id' },
      { id: 'd', timeout: 'soon', retry_policy: { max_attempts: 0, backoff: 'linear' } }
    ])).toEqual([
      'tasks[0].priority: must be 1..10',
      'tasks[1].difficulty: must be at least 0',
      'tasks[2].depend_on: unknown field; did you mean "depends_on"?',
      'tasks[3].id: missing (every task needs an id, or task_id)',
      'tasks[4].retry_policy.max_attempts: must be 1..100',
      'tasks[4].retry_policy.backoff: must be "fixed" or "exponential"',
      'tasks[4].timeout: must be a number greater than 0',
      // task 1 has a bad field, and its dependencies are still checked
      'tasks[1].depends_on[0]: unknown task "x"'
    ])
  })

  it('names unknown dependencies and cycles the way the task file spells them', () => {
    expect(problemsOf([
      { task_id: 'a', depends_on: ['b'] },
      { task_id: 'b', depends_on: ['a'] },
      { task_id: 'c', dependsOn: ['ghost'] }
    ])).toEqual(['tasks[2].dependsOn[0]: unknown task "ghost"', 'cycle: a -> b -> a'])
  })

  it('lets new tasks depend on tasks the admin already holds, and only those', () => {
    const known = new Set(['built'])
    const { specs, problems } = normalizeTasks([{ id: 'deploy', depends_on: ['built', 'tested'] }], { isKnown: id => known.has(id) })
    expect(problems.map(p => `${p.path}: ${p.message}`)).toEqual(['tasks[0].depends_on[1]: unknown task "tested"'])
    known.add('tested')
    expect(normalizeTasks([{ id: 'deploy', depends_on: ['built', 'tested'] }], { isKnown: id => known.has(id) }).problems).toEqual([])
    expect(specs[0]!.dependsOn).toEqual(['built', 'tested'])
  })

  it('marks a file checked as a graph of its own, so a scheduler does not build it again; frozen, so it stays so', () => {
    const closed = parseTasks('[{"id": "a"}, {"id": "b", "depends_on": ["a"]}]')
    expect(isClosedGraph(closed)).toBe(true)
    expect(() => { (closed[1]!.dependsOn as string[]).push('b') }).toThrow(TypeError)
    expect(() => { (closed[0] as { id: string }).id = 'b' }).toThrow(TypeError)
    // checked against outside ids, or not checked as a graph, or not checked at all: a scheduler checks it
    expect(isClosedGraph(parseTasks('[{"id": "b", "depends_on": ["a"]}]', { isKnown: () => true }))).toBe(false)
    expect(isClosedGraph(toTaskSpecs([{ id: 'a' }], { checkGraph: false }))).toBe(false)
    expect(isClosedGraph(toTaskSpecs([{ id: 'a' }]))).toBe(true)
    expect(isClosedGraph([...closed])).toBe(false)
    // a closed file given to a scheduler that holds some of its ids already: those are left as they are
    const scheduler = new Scheduler()
    scheduler.submit(parseTasks('[{"id": "a"}]'), 0, {}, true)
    expect(scheduler.submit(closed, 1, {}, true)).toMatchObject({ added: ['b'], existing: ['a'] })
  })

  it('loads nothing when anything is wrong, and names the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-'))
    const file = join(dir, 'bad.yaml')
    await writeFile(file, '- id: ok\n- id: ok\n')
    await expect(loadTaskFile(file)).rejects.toMatchObject({ name: 'ValidationError', file, message: expect.stringContaining(`${file}: invalid`) })
    await expect(loadTaskFile(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: invalid\n {2}cannot read the task file: no such file/)
  })

  it('reports YAML syntax errors with their line', () => {
    expect(() => parseTasks('- id: a\n  difficulty: [1, 2\n', { format: 'yaml' })).toThrow(/tasks: invalid\n {2}line 3, column 1: /)
  })

  it('refuses hostile nesting before the parser can exhaust memory, and payloads JSON cannot carry', () => {
    const deep = '['.repeat(50_000) + ']'.repeat(50_000)
    expect(() => parseTasks(`- id: a\n  payload: ${deep}\n`, { format: 'yaml' })).toThrow(/nested more than 100 levels deep/)
    const nested = JSON.parse('['.repeat(10_000) + ']'.repeat(10_000))
    expect(problemsOf([{ id: 'a', payload: nested }])).toEqual(['tasks[0].payload: nested more than 64 levels deep'])
    expect(problemsOf([{ id: 'a', payload: { n: Infinity } }])).toEqual(['tasks[0].payload: contains Infinity, which JSON cannot carry'])
  })

  it('refuses input that is not a task list', () => {
    expect(problemsOf('hello')).toEqual([': expected a list of tasks, or an object with a "tasks" list'])
    expect(problemsOf([])).toEqual(['tasks: no tasks'])
  })
})

describe('a task file\'s schedules', () => {
  it('reads them beside the tasks, or alone, with the task each firing submits', () => {
    const { specs, schedules, problems } = normalizeTasks({ tasks: [{ id: 'base' }], schedules: [{ name: 'tick', every: 60, task: { type: 'report', depends_on: ['base'] } }, { name: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Paris', catch_up: 'last', task: {} }] })
    expect(problems).toEqual([])
    expect(specs.map(s => s.id)).toEqual(['base'])
    expect(schedules).toEqual([
      expect.objectContaining({ name: 'tick', everyMs: 60_000, task: expect.objectContaining({ type: 'report', dependsOn: ['base'] }) }),
      expect.objectContaining({ name: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Paris', catchUp: 'last' })
    ])
    expect(normalizeTasks({ schedules: [{ name: 'alone', every: 5, task: {} }] })).toMatchObject({ problems: [], specs: [], schedules: [{ name: 'alone' }] })
  })

  it('names every problem by its path', () => {
    const { problems } = normalizeTasks({ schedules: [{ name: 'a b', every: 60, task: {} }, { name: 'x', every: 60, cron: '* * * * *', task: {} }, { name: 'y', cron: '0 10 * * *', task: { id: 'fixed' } }, { name: 'z', every: 60, catch_up: 'all', task: { priority: 99 } }, { name: 'w', every: 60 }, 'tick'], crons: [] })
    expect(problems.map(p => p.path)).toEqual(['schedules[0].name', 'schedules[1]', 'schedules[2].task.id', 'schedules[3].task.priority', 'schedules[3].catch_up', 'schedules[4].task', 'schedules[5]', 'crons'])
  })
})
