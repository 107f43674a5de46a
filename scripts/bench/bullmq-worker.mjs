// A BullMQ worker process for the comparison bench: no-op jobs, `concurrency` at a time.
// node bullmq-worker.mjs QUEUE PORT CONCURRENCY; prints "ready" once connected.
import { Worker } from 'bullmq'

const [queue, port, concurrency] = process.argv.slice(2)
const worker = new Worker(queue, async () => null, { connection: { host: '127.0.0.1', port: Number(port) }, concurrency: Number(concurrency) })
await worker.waitUntilReady()
process.stdout.write('ready\n')
process.on('SIGTERM', () => { worker.close().then(() => process.exit(0), () => process.exit(1)) })
