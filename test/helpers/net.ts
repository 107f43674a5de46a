import { TaskManager, type TaskManagerOptions } from '../../src/manager/task-manager.js'
import { WorkerAgent, type WorkerAgentOptions } from '../../src/worker/worker-agent.js'
import type { TaskInput } from '../../src/tasks/normalize.js'
import type { TaskSpec } from '../../src/core/task.js'

export const TUTORIAL_TASKS: TaskInput[] = [
  { id: 1, description: 'Simple calculation', difficulty: 2 },
  { id: 2, description: 'Data analysis', difficulty: 5 },
  { id: 3, description: 'ML model training', difficulty: 8 }
]

export const TUTORIAL_WORKERS: Array<[string, number]> = [['Junior', 3], ['Intermediate', 6], ['Senior', 9]]

interface Target { addEventListener(type: string, listener: (evt: CustomEvent) => void): void, removeEventListener(type: string, listener: (evt: CustomEvent) => void): void }

/** Resolves with the detail of the first `name` event that matches, or rejects after `timeoutMs`. */
export function nextEvent<T = any> (target: Target, name: string, match: (detail: T) => boolean = () => true, timeoutMs = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.removeEventListener(name, listener)
      reject(new Error(`no "${name}" event within ${timeoutMs} ms`))
    }, timeoutMs)
    const listener = (evt: CustomEvent): void => {
      if (!match(evt.detail as T)) return
      clearTimeout(timer)
      target.removeEventListener(name, listener)
      resolve(evt.detail as T)
    }
    target.addEventListener(name, listener)
  })
}

/** Records every event of the given names, in order. */
export function record (target: Target, names: string[]): Array<{ name: string, detail: any }> {
  const log: Array<{ name: string, detail: any }> = []
  for (const name of names) target.addEventListener(name, (evt) => { log.push({ name, detail: evt.detail }) })
  return log
}

/** Starts what a test needs and stops all of it afterwards. */
export class Network {
  readonly managers: TaskManager[] = []
  readonly workers: WorkerAgent[] = []

  async admin (tasks: ReadonlyArray<TaskInput | TaskSpec>, options: TaskManagerOptions = {}): Promise<TaskManager> {
    const manager = new TaskManager(tasks, options)
    this.managers.push(manager)
    await manager.start()
    return manager
  }

  /**
   * An admin on loopback with its HTTP API, and optionally one worker registered with it: `at` is its
   * libp2p address, `http` its API's URL.
   */
  async httpAdmin (worker?: [name: string, skill: number, options?: Partial<WorkerAgentOptions>], options: TaskManagerOptions = {}): Promise<{ manager: TaskManager, at: string, http: string }> {
    const manager = await this.admin([], { listen: ['/ip4/127.0.0.1/tcp/0'], http: { port: 0 }, ...options })
    if (worker != null) await this.worker(manager, ...worker)
    return { manager, at: manager.details().addresses[0]!, http: manager.details().http! }
  }

  /** Starts a worker and resolves once the admin has registered it. */
  async worker (manager: TaskManager, name: string, skill: number, options: Partial<WorkerAgentOptions> = {}): Promise<WorkerAgent> {
    const worker = new WorkerAgent(name, { skillLevel: skill, adminPeer: manager.details().addresses[0]!, ...options })
    this.workers.push(worker)
    const registered = nextEvent(manager, 'worker:connected', d => d.name === name)
    await worker.start()
    await registered
    return worker
  }

  async stop (): Promise<void> {
    await Promise.all(this.workers.map(w => w.stop().catch(() => {})))
    await Promise.all(this.managers.map(m => m.stop().catch(() => {})))
  }
}
