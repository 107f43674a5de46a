// Many full WorkerAgents in one process, for the thousand-worker bench:
// node fleet-child.mjs ADMIN_ADDRESS COUNT PREFIX; prints "ready" once every one has registered.
// It runs the built package (dist/, as `taskmesh worker` does), not the TypeScript sources through tsx: the
// joining figure is the network's, not the time tsx takes to compile the sources in four processes at once.
import { WorkerAgent } from '../../dist/worker/worker-agent.js'

const [admin, count, prefix] = process.argv.slice(2)
const agents = Array.from({ length: Number(count) }, (_, i) => new WorkerAgent(`${prefix}-${i}`, { adminPeer: admin, skillLevel: 10, maxConcurrent: 4 }))
await Promise.all(agents.map(async agent => {
  const registered = new Promise(resolve => { agent.addEventListener('admin:connected', () => { resolve() }, { once: true }) })
  await agent.start()
  await registered
}))
process.stdout.write('ready\n')
process.on('SIGTERM', () => {
  Promise.all(agents.map(async a => { await a.stop() })).then(() => process.exit(0), () => process.exit(1))
})
