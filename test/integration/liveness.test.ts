import { afterEach, describe, expect, it, vi } from 'vitest'
import { cliProcesses } from '../helpers/cli.js'
import { Network, record } from '../helpers/net.js'

const { start } = cliProcesses()

describe('workers and a silent admin', () => {
  let net: Network
  afterEach(async () => { await net?.stop() })

  it('an idle worker stays connected through many lease TTLs: the admin answers the heartbeats that ask', async () => {
    net = new Network()
    // heartbeats every 0.2 s; a worker gives up on an admin silent for 0.6 s
    const manager = await net.admin([], { leaseTtlMs: 600 })
    const log = record(manager, ['worker:disconnected'])
    const worker = await net.worker(manager, 'idle', 1)
    const id = worker.peerId
    // nothing to do for 3 s (heartbeats carry the time they were taken): still the same registration
    const first = manager.admin.view.worker(id)!.registeredAt
    await vi.waitFor(() => { expect((manager.admin.view.worker(id)?.statusAt ?? 0) - first).toBeGreaterThan(3_000) }, { timeout: 20_000, interval: 100 })
    expect(manager.admin.view.worker(id)!.registeredAt).toBe(first)
    expect(log).toEqual([])
  }, 30_000)

  it('a frozen admin (SIGSTOP): the worker says so after one lease TTL, and comes back once it wakes', async () => {
    const admin = start(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--lease-ttl', '1', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    const worker = start(['worker', '--admin', addrs[0], '--name', 'w', '--skill', '1', '--json'])
    await worker.waitForEvent('connected')
    admin.kill('SIGSTOP')
    try {
      expect((await worker.waitForEvent('disconnected')).reason).toMatch(/^the admin said nothing for \d+\.\d s, not even to a heartbeat that asked for an answer$/)
    } finally {
      admin.kill('SIGCONT')
    }
    await worker.waitUntil(() => worker.events.filter(e => e.event === 'connected').length >= 2)
    admin.kill('SIGTERM')
    worker.kill('SIGTERM')
  }, 60_000)
})
