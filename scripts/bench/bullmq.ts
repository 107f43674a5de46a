import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { Queue, QueueEvents } from 'bullmq'
import { cpuMicros, cpuOf, stopChild } from './proc.js'
import { percentile } from './stats.js'
import { SteadyWindow, type ThroughputFigures } from './window.js'
import { FIRST, WARM_UP, type LatencyFigures, type LatencyResult } from './latency.js'

const WORKER = fileURLToPath(new URL('./bullmq-worker.mjs', import.meta.url))
/** How often the completed count is read during a throughput run. */
const POLL_MS = 20

/** Is there a `redis-server` to compare with? */
export function redisAvailable (): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0
}

interface Redis {
  port: number
  pid: number | undefined
  stop(): Promise<void>
}

/**
 * A Redis of its own on loopback, in a temporary directory: no snapshots; with `aof`, an append-only file
 * synced every second (Redis's recommended durability, and BullMQ's advice for production).
 */
async function startRedis (aof: boolean): Promise<Redis> {
  const dir = await mkdtemp(join(tmpdir(), 'taskmesh-redis-'))
  const port = await freePort()
  const child = spawn('redis-server', [
    '--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--maxmemory-policy', 'noeviction',
    '--appendonly', aof ? 'yes' : 'no', '--appendfsync', 'everysec'
  ], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.on('line', line => { if (line.includes('Ready to accept connections')) resolve() })
    child.once('exit', code => { reject(new Error(`redis-server exited (${code}) before it was ready`)) })
  })
  child.stdout!.resume()
  return {
    port,
    pid: child.pid,
    async stop () {
      await stopChild(child)
      await rm(dir, { recursive: true, force: true })
    }
  }
}

async function freePort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

async function startWorkers (queue: string, port: number, count: number, concurrency: number): Promise<ChildProcess[]> {
  const children = Array.from({ length: count }, () => spawn(process.execPath, [WORKER, queue, String(port), String(concurrency)], { stdio: ['ignore', 'pipe', 'inherit'] }))
  await Promise.all(children.map(async child => {
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', () => { resolve() })
      child.once('exit', code => { reject(new Error(`a BullMQ worker exited (${code}) before it was ready`)) })
    })
  }))
  return children
}

export interface BullmqThroughputResult extends ThroughputFigures {
  aof: boolean
}

/**
 * N no-op jobs queued at once on a fresh Redis, then taken by W worker processes × C concurrent: the run
 * goes from the workers being ready to the last job completed (read from Redis every 20 ms).
 */
export async function bullmqThroughput (options: { tasks: number, workers: number, concurrency: number, aof: boolean }): Promise<BullmqThroughputResult> {
  const redis = await startRedis(options.aof)
  const connection = { host: '127.0.0.1', port: redis.port }
  const queue = new Queue('bench', { connection })
  let children: ChildProcess[] = []
  try {
    for (let i = 0; i < options.tasks; i += 1000) {
      await queue.addBulk(Array.from({ length: Math.min(1000, options.tasks - i) }, (_, k) => ({ name: 'noop', data: { i: i + k } })))
    }
    const pids: Array<number | undefined> = []
    const window = new SteadyWindow(options.tasks, () => ({ coordinator: cpuMicros(redis.pid), workers: cpuOf(pids) }))
    children = await startWorkers('bench', redis.port, options.workers, options.concurrency)
    pids.push(...children.map(c => c.pid))
    window.started()
    for (let done = 0; done < options.tasks;) {
      await new Promise(resolve => setTimeout(resolve, POLL_MS))
      done = await queue.getCompletedCount()
      window.progress(done)
    }
    return { ...window.figures(), aof: options.aof }
  } finally {
    await Promise.all(children.map(async c => { await stopChild(c) }))
    await queue.close()
    await redis.stop()
  }
}

/**
 * One job in flight: added, taken by one worker process, and awaited with `waitUntilFinished` (BullMQ's
 * way for a producer to learn a job's result); then again once `history` more jobs have completed.
 */
export async function bullmqLatency (options: { samples: number, history: number }): Promise<LatencyResult> {
  const redis = await startRedis(false)
  const connection = { host: '127.0.0.1', port: redis.port }
  const queue = new Queue('latency', { connection })
  const events = new QueueEvents('latency', { connection })
  let children: ChildProcess[] = []
  try {
    await events.waitUntilReady()
    children = await startWorkers('latency', redis.port, 1, 64)
    const oneAtATime = async (count: number): Promise<LatencyFigures> => {
      const times: number[] = []
      for (let i = 0; i < count; i++) {
        const started = performance.now()
        const job = await queue.add('noop', {})
        await job.waitUntilFinished(events)
        times.push(performance.now() - started)
      }
      return { p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), samples: count }
    }
    const first = await oneAtATime(FIRST)
    await oneAtATime(WARM_UP - FIRST)
    const fresh = await oneAtATime(options.samples)
    const before = await queue.getCompletedCount()
    for (let i = 0; i < options.history; i += 1000) {
      await queue.addBulk(Array.from({ length: Math.min(1000, options.history - i) }, () => ({ name: 'noop', data: {} })))
    }
    while (await queue.getCompletedCount() < before + options.history) await new Promise(resolve => setTimeout(resolve, 50))
    await oneAtATime(WARM_UP)
    const afterHistory = await oneAtATime(options.samples)
    return { first, fresh, afterHistory, history: options.history }
  } finally {
    await Promise.all(children.map(async c => { await stopChild(c) }))
    await events.close()
    await queue.close()
    await redis.stop()
  }
}
