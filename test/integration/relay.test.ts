import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { cliProcesses, runCli, type CliProcess } from '../helpers/cli.js'
import { TaskManager } from '../../src/manager/task-manager.js'
import { createRelay } from '../../src/node/relay-server.js'
import { RELAY_STOP_PROTOCOL } from '../../src/node/relay-guard.js'

// The relay on loopback: what needs no namespaces (its limits, its allow-list, bad input). Across NATs:
// across-nat.test.ts.
describe('taskmesh relay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taskmesh-relay-'))
  const processes = cliProcesses()
  afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

  async function startRelay (args: string[] = []): Promise<{ relay: CliProcess, address: string }> {
    const relay = processes.start(['relay', '--listen', '/ip4/127.0.0.1/tcp/0', '--json', ...args])
    const { addrs } = await relay.waitForEvent('listening')
    return { relay, address: (addrs as string[])[0]! }
  }

  it('carries the work within its limits: a relayed connection reset at its data limit is dialled again, and no result is lost or doubled', async () => {
    const { relay, address } = await startRelay(['--relayed-data', '48KiB'])
    const tasks = Array.from({ length: 60 }, (_, i) => ({ id: `t${i}`, type: 'simulate', difficulty: 1, payload: { filler: 'x'.repeat(2000) } }))
    const file = join(dir, 'tasks.json')
    writeFileSync(file, JSON.stringify({ tasks }))
    const admin = processes.start(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--relay', address, '--tasks', file, '--expected-workers', '1', '--exit-when-done', '--json'])
    const slot = await admin.waitForEvent('relay:reserved')
    const relayed = (slot.addresses as string[])[0]!
    expect(relayed).toMatch(/\/p2p-circuit\/p2p\/12D3KooW/)
    expect(await relay.waitForEvent('relay:reservation')).toMatchObject({ peer: (await admin.waitForEvent('listening')).peerId })
    const worker = processes.start(['worker', '--admin', relayed, '--name', 'far', '--skill', '5', '--json'])
    expect((await worker.waitForEvent('connected')).via).toBe('relayed')
    expect(await admin.exit()).toBe(0)
    expect(admin.events.at(-1)).toMatchObject({ event: 'summary', succeeded: 60, failed: 0 })
    const ids = admin.events.filter(e => e.event === 'task:completed').map(e => e.id)
    expect(new Set(ids).size).toBe(60)
    expect(ids.length).toBe(60)
    // 60 payloads of 2 KB do not fit in 48 KiB: the limit was met, and the worker came back each time
    expect(worker.events.filter(e => e.event === 'connected').length).toBeGreaterThan(1)
  })

  it('lets only the peers on its --allow list reserve a slot', async () => {
    const allow = join(dir, 'relay.allow')
    writeFileSync(allow, '# nobody yet\n')
    const { address } = await startRelay(['--allow', allow])
    const admin = processes.start(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--relay', address, '--json'])
    await admin.waitForEvent('listening')
    const refused = await admin.waitForEvent('relay:unreachable')
    expect(refused.relay).toBe(address.split('/').at(-1))
    expect(refused.retryInMs).toBeGreaterThan(0)
    expect(admin.stderr).toMatch(/no slot yet; still trying/)
  })

  it('takes relayed connections only from its own relays: another relay that offers one is refused, and announced nowhere', async () => {
    const own = await createRelay({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    const stranger = await createRelay({ listen: ['/ip4/127.0.0.1/tcp/0'] })
    const manager = new TaskManager([], { listen: ['/ip4/127.0.0.1/tcp/0'], relays: [own.getMultiaddrs()[0]!.toString()] })
    try {
      await manager.start()
      const before = manager.details().addresses
      expect(before.filter(a => a.includes('/p2p-circuit/'))).toHaveLength(1)
      // the stranger dials the admin and offers it a relayed connection, as libp2p's relay transport would
      const connection = await stranger.dial(multiaddr(before.find(a => !a.includes('/p2p-circuit'))!))
      const stream = await connection.newStream(RELAY_STOP_PROTOCOL, { runOnLimitedConnection: true })
      // refused at once: closed by the time it opened, or soon after (libp2p's transport would wait for a message)
      if (stream.status === 'open') await Promise.race([once(stream, 'close'), new Promise(resolve => setTimeout(resolve, 10_000))])
      expect(stream.status).toMatch(/aborted|reset|closed/)
      // nothing reserved on it, nothing of it announced
      expect(stranger.services.relay.reservations.size).toBe(0)
      expect(manager.details().addresses).toEqual(before)
      expect(manager.details().addresses.join(' ')).not.toContain(stranger.peerId.toString())
    } finally {
      await manager.stop()
      await own.stop()
      await stranger.stop()
    }
  })

  it('keeps one libp2p listener per relay however often the relay restarts', async () => {
    const key = await generateKeyPair('Ed25519')
    let relay = await createRelay({ listen: ['/ip4/127.0.0.1/tcp/0'], privateKey: key })
    const address = relay.getMultiaddrs()[0]!.toString()
    const manager = new TaskManager([], { listen: ['/ip4/127.0.0.1/tcp/0'], relays: [address] })
    const listeners = (): number => (manager.libp2p as unknown as { components: { transportManager: { getListeners: () => unknown[] } } }).components.transportManager.getListeners().length
    try {
      await manager.start()
      const keeper = manager.relays!
      const first = listeners()
      for (let i = 0; i < 3; i++) {
        const lost = new Promise(resolve => { keeper.addEventListener('relay:lost', resolve, { once: true }) })
        await relay.stop()
        await lost
        const reserved = new Promise(resolve => { keeper.addEventListener('relay:reserved', resolve, { once: true }) })
        relay = await createRelay({ listen: [address.replace(/\/p2p\/.*/, '')], privateKey: key })
        await reserved
        expect(manager.details().addresses.filter(a => a.includes('/p2p-circuit/'))).toHaveLength(1)
      }
      expect(listeners()).toBe(first)
    } finally {
      await manager.stop()
      await relay.stop()
    }
  })

  it('refuses bad input by name, before anything starts', async () => {
    const noId = await runCli(['admin', '--relay', '/ip4/127.0.0.1/tcp/4003', '--listen', '/ip4/127.0.0.1/tcp/0'])
    expect(noId.code).toBe(2)
    expect(noId.stderr).toMatch(/relay address "\/ip4\/127\.0\.0\.1\/tcp\/4003" does not end in \/p2p\/<relay id>; copy the full address the relay printed at start/)
    const garbage = await runCli(['admin', '--relay', 'relay.example.com', '--listen', '/ip4/127.0.0.1/tcp/0'])
    expect(garbage.code).toBe(2)
    expect(garbage.stderr).toMatch(/relay address "relay\.example\.com" is not a valid multiaddr/)
    const relayed = await runCli(['admin', '--relay', '/ip4/1.2.3.4/tcp/4003/p2p/12D3KooWGzh5E5SrCodfqgKEDxQ9ZzkJY8Q1vHjqNrHyGZkcRoFX/p2p-circuit', '--listen', '/ip4/127.0.0.1/tcp/0'])
    expect(relayed.code).toBe(2)
    expect(relayed.stderr).toMatch(/is itself relayed; give the relay's own address/)
    const size = await runCli(['relay', '--relayed-data', 'lots'])
    expect(size.code).toBe(2)
    expect(size.stderr).toMatch(/--relayed-data.*expected a size above 0 such as 64MiB, 1GB or 500kB/)
    const handlers = await runCli(['admin', '--browser-handlers', 'file:///etc/passwd'])
    expect(handlers.code).toBe(2)
    expect(handlers.stderr).toMatch(/--browser-handlers.*expected an http: or https: URL/)
  })
})
