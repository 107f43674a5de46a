import { createServer, type Server } from 'node:http'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { verifyWebhook } from '../../src/webhooks/signature.js'
import { parseWebhook } from '../../src/webhooks/targets.js'
import { Webhooks } from '../../src/webhooks/webhooks.js'
import type { WebhookFailedDetail } from '../../src/admin/events.js'
import type { OutboxMessage } from '../../src/store/journal.js'
import { cliProcesses, runCli } from '../helpers/cli.js'

const { start } = cliProcesses()

interface Delivery { id: string, event: string, signature?: string, body: string, data: { id?: string, status?: string } }

/** A webhook receiver on loopback: answers each POST with `answer()`, keeps what it took (2xx) and every try. */
class Receiver {
  readonly taken: Delivery[] = []
  tries = 0
  answer: (tries: number) => number = () => 200
  private readonly waiters: Array<() => void> = []
  private constructor (readonly server: Server, readonly url: string) {}

  static async start (): Promise<Receiver> {
    const server = createServer()
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    const receiver = new Receiver(server, `http://127.0.0.1:${port}/hook`)
    server.on('request', (req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => { body += c.toString() })
      req.on('end', () => {
        receiver.tries++
        const status = receiver.answer(receiver.tries)
        if (status < 300) {
          const parsed = JSON.parse(body) as { data: Delivery['data'] }
          receiver.taken.push({ id: String(req.headers['taskmesh-delivery']), event: String(req.headers['taskmesh-event']), signature: req.headers['taskmesh-signature-256'] as string | undefined, body, data: parsed.data })
        }
        res.writeHead(status).end()
        for (const wake of receiver.waiters.splice(0)) wake()
      })
    })
    return receiver
  }

  /** Resolves once `n` deliveries were taken (however many tries that took). */
  async took (n: number): Promise<void> {
    while (this.taken.length < n) await new Promise<void>(resolve => this.waiters.push(resolve))
  }

  async close (): Promise<void> {
    await new Promise<void>(resolve => this.server.close(() => { resolve() }))
  }
}

const receivers: Receiver[] = []
afterEach(async () => { for (const r of receivers.splice(0)) await r.close() })

async function setUp (tasks: number): Promise<{ dir: string, file: string, secret: string, receiver: Receiver }> {
  const dir = await mkdtemp(join(tmpdir(), 'taskmesh-webhooks-'))
  const file = join(dir, 'tasks.json')
  await writeFile(file, JSON.stringify(Array.from({ length: tasks }, (_, i) => ({ id: `t${i}`, ...(i === 0 ? { payload: { fail: 'on purpose' } } : {}) }))))
  const secret = join(dir, 'secret')
  await writeFile(secret, 'a-webhook-secret-of-32-characters')
  const receiver = await Receiver.start()
  receivers.push(receiver)
  return { dir, file, secret, receiver }
}

describe('webhooks', () => {
  it('posts each task that became final, signed; a receiver that fails at first gets it on a later try, once', async () => {
    const { dir, file, secret, receiver } = await setUp(4)
    // the first delivery is refused twice: it is retried, and those after it wait their turn
    receiver.answer = tries => tries <= 2 ? 503 : 200
    const admin = start(['admin', '--tasks', file, '--data-dir', join(dir, 'state'), '--listen', '/ip4/127.0.0.1/tcp/0', '--webhook', receiver.url, '--webhook-secret', secret, '--json'])
    const at = (await admin.waitForEvent('listening')).addrs[0]
    start(['worker', '--admin', at, '--name', 'w1', '--skill', '5', '--max-concurrent', '4', '--json'])
    await receiver.took(4)
    expect(receiver.tries).toBe(6)
    expect(receiver.taken.map(d => d.data.id).sort()).toEqual(['t0', 't1', 't2', 't3'])
    expect(new Set(receiver.taken.map(d => d.id)).size).toBe(4)
    expect(receiver.taken.every(d => d.event === 'task:completed' && verifyWebhook(d.body, d.signature, 'a-webhook-secret-of-32-characters'))).toBe(true)
    expect(receiver.taken.find(d => d.data.id === 't0')?.data).toMatchObject({ status: 'failed', error: 'on purpose' })
  })

  it('keeps what it could not deliver in the journal: an admin killed and started again delivers it then', async () => {
    const { dir, file, receiver } = await setUp(3)
    receiver.answer = () => 500
    const dataDir = join(dir, 'state')
    const args = (listen: string): string[] => ['admin', '--tasks', file, '--data-dir', dataDir, '--listen', listen, '--webhook', `task:succeeded,done=${receiver.url}`, '--json']
    const first = start(args('/ip4/127.0.0.1/tcp/0'))
    const at = (await first.waitForEvent('listening')).addrs[0]!
    start(['worker', '--admin', at, '--name', 'w1', '--skill', '5', '--max-concurrent', '4', '--json'])
    // every task final and tried at least once at the receiver, which took nothing
    await first.waitUntil(() => first.events.filter(e => e.event === 'task:completed').length === 3 && receiver.tries > 0)
    first.kill('SIGKILL')
    await first.exited
    expect(receiver.taken).toEqual([])

    receiver.answer = () => 200
    const port = /\/tcp\/(\d+)\//.exec(at)![1]
    start(args(`/ip4/127.0.0.1/tcp/${port}`))
    // the two tasks that succeeded (t0 failed: this webhook asked for task:succeeded) and "done"
    await receiver.took(3)
    expect(receiver.taken.filter(d => d.event === 'task:completed').map(d => d.data.id).sort()).toEqual(['t1', 't2'])
    expect(receiver.taken.filter(d => d.event === 'done')).toHaveLength(1)
    expect(new Set(receiver.taken.map(d => d.id)).size).toBe(3)
  })

  it('gives a message up after its tries (one when it is old, or refused with a 4xx), says so, and goes on with the next', async () => {
    const receiver = await Receiver.start()
    receivers.push(receiver)
    const hooks = new Webhooks({ targets: [parseWebhook(receiver.url)], admin: () => 'admin', backoff: { backoff: 'exponential', initialDelayMs: 5, maxDelayMs: 20, jitter: 0 }, maxTries: 3 })
    const failed: WebhookFailedDetail[] = []
    hooks.addEventListener('webhook:failed', ({ detail }) => { failed.push(detail) })
    const message = (id: string, at: number): OutboxMessage => ({ id: `${id} ${receiver.url}`, target: receiver.url, event: 'task:completed', body: JSON.stringify({ id, event: 'task:completed', at, admin: 'admin', data: { id } }), at })
    receiver.answer = () => 500
    hooks.start([message('refused', Date.now()), message('old', Date.now() - 2 * 60 * 60_000)])
    // the first is tried three times, the old one once; then the receiver is back for the third
    while (failed.length < 2) await new Promise(resolve => hooks.addEventListener('webhook:failed', resolve, { once: true }))
    expect(failed.map(f => [f.id, f.tries, f.reason])).toEqual([['refused', 3, 'answered 500'], ['old', 1, 'answered 500']])
    expect(receiver.tries).toBe(4)
    receiver.answer = () => 200
    const delivered = new Promise(resolve => hooks.addEventListener('webhook:delivered', resolve, { once: true }))
    // recorded as the loop that gave up on "old" ends: posted all the same
    hooks.recorded([message('next', Date.now())])
    // events name the receiver by its origin: its path may hold a secret
    expect(await delivered).toMatchObject({ detail: { id: 'next', tries: 1, event: 'task:completed', receiver: new URL(receiver.url).origin } })
    // a 4xx (other than 408 and 429) says the receiver refuses this message: given up at once
    receiver.answer = () => 404
    const refused = new Promise(resolve => hooks.addEventListener('webhook:failed', resolve, { once: true }))
    hooks.recorded([message('unwanted', Date.now())])
    expect(await refused).toMatchObject({ detail: { id: 'unwanted', tries: 1, reason: 'answered 404' } })
    hooks.stop()
    expect(receiver.taken.map(d => d.id)).toEqual(['next'])
    // given up or delivered, all leave the journal with the next batch
    expect(hooks.takeDelivered().sort()).toEqual([`next ${receiver.url}`, `old ${receiver.url}`, `refused ${receiver.url}`, `unwanted ${receiver.url}`])
  })

  it('says what is wrong with the options', async () => {
    const { dir, secret } = await setUp(0)
    expect(await runCli(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--webhook', 'task:finished=http://127.0.0.1:9/x'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/option '--webhook <\[events=\]url>' argument 'task:finished=http:\/\/127\.0\.0\.1:9\/x' is invalid\. unknown event "task:finished"/) })
    expect(await runCli(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--webhook', 'http://127.0.0.1:9/x', '--webhook', 'done=http://127.0.0.1:9/x'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/http:\/\/127\.0\.0\.1:9\/x is given twice: give it once, with all its events before "="/) })
    // in the environment, webhooks are separated by spaces (their events by commas)
    const env = { ...process.env, TASKMESH_ADMIN_WEBHOOK: 'task:failed,done=http://127.0.0.1:9/x nope' }
    expect(await runCli(['admin', '--listen', '/ip4/127.0.0.1/tcp/0'], { env })).toMatchObject({ code: 2, stderr: expect.stringMatching(/TASKMESH_ADMIN_WEBHOOK: "nope" is not a URL/) })
    expect(await runCli(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--webhook-secret', secret])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--webhook-secret signs webhooks: give --webhook URL too/) })
    await writeFile(join(dir, 'short'), 'short')
    expect(await runCli(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--webhook', 'http://127.0.0.1:9/x', '--webhook-secret', join(dir, 'short')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/the webhook secret must be one line of 16 to 4096 bytes without spaces/) })
  })
})
