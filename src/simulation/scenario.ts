import { taskSpec, type TaskSpec } from '../core/task.js'

export interface SimulatedWorker {
  name: string
  skill: number
  capabilities?: string[]
  maxConcurrent?: number
  /** Joins only once the other workers have done all they can. */
  lateJoin?: boolean
}

export interface Scenario {
  tasks: TaskSpec[]
  workers: SimulatedWorker[]
}

/** The seed tutorial: difficulties 2, 5, 8; Junior (3), Intermediate (6), Senior (9). */
export function tutorialScenario (): Scenario {
  return {
    tasks: [
      taskSpec({ id: '1', description: 'Simple calculation', difficulty: 2 }),
      taskSpec({ id: '2', description: 'Data analysis', difficulty: 5 }),
      taskSpec({ id: '3', description: 'ML model training', difficulty: 8 })
    ],
    workers: [
      { name: 'Junior', skill: 3 },
      { name: 'Intermediate', skill: 6 },
      { name: 'Senior', skill: 9 }
    ]
  }
}

const DESCRIPTIONS = ['Simple calculation', 'Data analysis', 'ML model training', 'Report writing', 'Data cleaning', 'Code review', 'Model evaluation', 'Translation', 'Image tagging', 'Forecast']

/**
 * `workers` workers with skills spread evenly over 1..10, and `tasks` tasks with difficulties drawn
 * from 1..10 (reproducible for a given seed).
 */
export function generatedScenario (options: { workers: number, tasks: number, seed?: number }): Scenario {
  const random = mulberry32(options.seed ?? 1)
  const n = Math.max(1, options.workers)
  const workers = Array.from({ length: n }, (_, i): SimulatedWorker => ({
    name: `worker-${String(i + 1).padStart(String(n).length, '0')}`,
    skill: n === 1 ? 10 : Math.round(1 + 9 * i / (n - 1))
  }))
  const tasks = Array.from({ length: Math.max(1, options.tasks) }, (_, i) => taskSpec({
    id: String(i + 1),
    description: DESCRIPTIONS[i % DESCRIPTIONS.length]!,
    difficulty: 1 + Math.floor(random() * 10)
  }))
  return { tasks, workers }
}

/** Marks the most skilled worker to join late, so tasks only it can do are seen waiting for it. */
export function withLateJoin (scenario: Scenario): Scenario {
  const strongest = scenario.workers.reduce((a, b) => b.skill > a.skill ? b : a)
  return { ...scenario, workers: scenario.workers.map(w => w === strongest ? { ...w, lateJoin: true } : w) }
}

export function mulberry32 (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
