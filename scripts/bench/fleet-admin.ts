// The fleet bench's admin, in a process of its own, so that what it measures idle (CPU and RSS) is the
// admin's and not what the bench's earlier parts left in the bench's process. It runs the sources, started as
// the bench was, by tsx (its RSS includes tsx's): node --import tsx fleet-admin.ts MAX_WORKERS
// prints {"address"} once listening, then for each line `run TASKS WORKER_PID…` on its input runs that many
// no-op tasks on the workers connected by then and prints the run's figures (steady window, CPU a task).
import { createInterface } from 'node:readline'
import { TaskManager } from '../../src/manager/task-manager.js'
import { taskSpec } from '../../src/core/task.js'
import { cpuOf, ownCpuMicros, within } from './proc.js'
import { SteadyWindow } from './window.js'

/** How long its tasks may take. */
const RUN_TIMEOUT_MS = 600_000

const manager = new TaskManager([], { listen: ['/ip4/127.0.0.1/tcp/0'], maxWorkers: Number(process.argv[2]) })
await manager.start()
process.stdout.write(JSON.stringify({ address: manager.details().addresses[0] }) + '\n')

let runs = 0
for await (const line of createInterface({ input: process.stdin })) {
  const [command, count, ...pids] = line.trim().split(/\s+/)
  if (command !== 'run') continue
  const tasks = Number(count)
  const workerPids = pids.map(Number)
  const window = new SteadyWindow(tasks, () => ({ coordinator: ownCpuMicros(), workers: cpuOf(workerPids) }))
  let completed = 0
  const onCompleted = (): void => { window.progress(++completed) }
  manager.addEventListener('task:completed', onCompleted)
  const done = new Promise<void>(resolve => { manager.addEventListener('done', () => { resolve() }, { once: true }) })
  window.started()
  const run = runs++
  manager.submit(Array.from({ length: tasks }, (_, i) => taskSpec({ id: `fleet-${run}-${i}` })))
  await within(done, RUN_TIMEOUT_MS, () => `${completed} of ${tasks} tasks done (${manager.workers().filter(w => w.online).length} workers online)`)
  manager.removeEventListener('task:completed', onCompleted)
  process.stdout.write(JSON.stringify(window.figures()) + '\n')
}
await manager.stop()
