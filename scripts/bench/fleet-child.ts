// Many full WorkerAgents in one process, for the thousand-worker bench:
// tsx fleet-child.ts ADMIN_ADDRESS COUNT PREFIX; prints "ready" once every one has registered.
import { WorkerAgent } from '../../src/worker/worker-agent.js'

const [admin, count, prefix] = process.argv.slice(2)
const agents = Array.from({ length: Number(count) }, (_, i) => new WorkerAgent(`${prefix}-${i}`, { adminPeer: admin!, skillLevel: 10, maxConcurrent: 4 }))
await Promise.all(agents.map(async agent => {
  const registered = new Promise<void>(resolve => { agent.addEventListener('admin:connected', () => { resolve() }, { once: true }) })
  await agent.start()
  await registered
}))
process.stdout.write('ready\n')
process.on('SIGTERM', () => {
  Promise.all(agents.map(async a => { await a.stop() })).then(() => process.exit(0), () => process.exit(1))
})
