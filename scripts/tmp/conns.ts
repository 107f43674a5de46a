import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { TaskManager } from '../../src/manager/task-manager.js'
const CHILD = fileURLToPath(new URL('../bench/fleet-child.ts', import.meta.url))
const manager = new TaskManager([], { listen: ['/ip4/127.0.0.1/tcp/0'], maxWorkers: 4096 })
await manager.start()
const n = Number(process.argv[2] ?? 250)
const child = spawn(process.execPath, [...process.execArgv, CHILD, manager.details().addresses[0]!, String(n), 'f0'], { stdio: ['ignore', 'pipe', 'inherit'] })
await new Promise<void>(resolve => { createInterface({ input: child.stdout! }).once('line', () => { resolve() }) })
let opened = 0, closed = 0, connected = 0, disconnected = 0
manager.libp2p.addEventListener('connection:open', () => { opened++ })
manager.libp2p.addEventListener('connection:close', () => { closed++ })
manager.addEventListener('worker:connected', () => { connected++ })
manager.addEventListener('worker:disconnected', (e: any) => { disconnected++; if (disconnected < 4) console.log('disc', e.detail.reason) })
console.log('registered; connections', manager.libp2p.getConnections().length)
await new Promise(r => setTimeout(r, 20000))
console.log({ opened, closed, connected, disconnected, conns: manager.libp2p.getConnections().length })
child.kill('SIGKILL')
await manager.stop()
process.exit(0)
