import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKey } from '@libp2p/pnet'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { AdminClient } from '../../src/client/admin-client.js'
import { createNode } from '../../src/node/create-node.js'
import { statusTopic } from '../../src/protocol/constants.js'
import { StatusMessage } from '../../src/protocol/pb/status.js'
import { WorkerAgent } from '../../src/worker/worker-agent.js'
import { cliProcesses, runCli } from '../helpers/cli.js'
import { Network, nextEvent, record } from '../helpers/net.js'

function swarmKey (): Uint8Array {
  const key = new Uint8Array(95)
  generateKey(key)
  return key
}

let net: Network
const { start } = cliProcesses()
afterEach(async () => {
  await net?.stop()
})

describe('private networks', () => {
  it('only peers with the admin\'s swarm key join; the others are told it is probably the key', async () => {
    net = new Network()
    const key = swarmKey()
    const manager = await net.admin([{ id: 'secret' }], { swarmKey: key })
    const address = manager.details().addresses[0]!
    const joined = record(manager, ['worker:connected'])

    for (const [name, other] of [['keyless', undefined], ['stranger', swarmKey()]] as const) {
      const worker = new WorkerAgent(name, { adminPeer: address, ...(other != null ? { swarmKey: other } : {}) })
      net.workers.push(worker)
      const refused = nextEvent(worker, 'reconnecting')
      await worker.start()
      expect((await refused).reason).toMatch(/probably a different swarm key, or none where the admin uses one/)
      await worker.stop()
    }
    await expect(AdminClient.connect(address, { timeoutMs: 5000 })).rejects.toThrow(/probably a different swarm key/)

    await net.worker(manager, 'member', 1, { swarmKey: key })
    expect((await manager.whenDone()).tasks[0]).toMatchObject({ status: 'succeeded', worker: 'member' })
    expect(joined.map(e => e.detail.name)).toEqual(['member'])
  })

  it('keygen --swarm writes a key the CLI peers use with --swarm-key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-pnet-'))
    const key = join(dir, 'swarm.key')
    expect((await runCli(['keygen', '--swarm', '--out', key])).code).toBe(0)
    const admin = start(['admin', '--tasks', new URL('../fixtures/tutorial.json', import.meta.url).pathname, '--swarm-key', key, '--listen', '/ip4/127.0.0.1/tcp/0', '--exit-when-done', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    start(['worker', '--admin', addrs[0], '--name', 'Senior', '--skill', '9', '--swarm-key', key, '--json'])
    expect(await admin.exit()).toBe(0)
    const bad = join(dir, 'bad.key')
    await writeFile(bad, 'not a key')
    const refused = await runCli(['worker', '--admin', addrs[0], '--name', 'x', '--skill', '1', '--swarm-key', bad])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/bad\.key: invalid\n {2}not a swarm key/)
  })
})

describe('allow-lists of peer ids', () => {
  it('refuses workers and clients not on the lists, tells them why, and reloads the lists on SIGHUP', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-allow-'))
    const keys = { friend: join(dir, 'friend.key'), outsider: join(dir, 'outsider.key'), ops: join(dir, 'ops.key') }
    const ids: Record<string, string> = {}
    for (const [name, file] of Object.entries(keys)) ids[name] = (await runCli(['keygen', '--out', file])).stdout
    const workers = join(dir, 'workers.allow')
    const clients = join(dir, 'clients.allow')
    await writeFile(workers, `# workers we trust\n${ids.friend}\n`)
    await writeFile(clients, `${ids.ops}\n`)
    const tasks = join(dir, 'tasks.json')
    await writeFile(tasks, JSON.stringify([{ id: 'a' }, { id: 'b', worker: 'outsider' }]))
    const admin = start(['admin', '--tasks', tasks, '--allow-workers', workers, '--allow-clients', clients, '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
    const { addrs } = await admin.waitForEvent('listening')

    // a worker not on the list is refused with AuthorizationError, gets no task, and exits as on bad input
    const outsider = start(['worker', '--admin', addrs[0], '--name', 'outsider', '--skill', '1', '--key', keys.outsider, '--json'])
    expect(await outsider.exit()).toBe(2)
    expect(outsider.stderr).toMatch(/AuthorizationError: peer \w+ may not join as a worker: not in the worker allow-list .*workers\.allow: give the worker a lasting identity with --key FILE \(taskmesh keygen --out FILE prints its peer id\), add that id to the list and send the admin SIGHUP/)
    expect(outsider.events.some(e => e.event === 'task:started')).toBe(false)
    // the refusal reaches it the first time: it does not read as a dropped connection and retry
    expect(outsider.events.filter(e => e.event === 'reconnecting')).toEqual([])
    await admin.waitForEvent('frame:rejected', e => e.peerId === ids.outsider)

    start(['worker', '--admin', addrs[0], '--name', 'friend', '--skill', '1', '--key', keys.friend, '--json'])
    await admin.waitForEvent('task:completed', e => e.id === 'a')

    // clients: only "ops" may ask
    const stranger = await runCli(['status', '--admin', addrs[0], '--key', keys.outsider])
    expect(stranger.code).toBe(1)
    expect(stranger.stderr).toMatch(/may not use this admin as a client: not in the client allow-list .*: give the client a lasting identity with --key FILE/)
    expect((await runCli(['status', '--admin', addrs[0], '--key', keys.ops, '--json'])).events[0]!.summary.total).toBe(2)
    const submit = await runCli(['submit', '--admin', addrs[0], '--key', keys.outsider, '--tasks', tasks])
    expect(submit.code).toBe(1)

    // the operator adds the outsider and removes the friend, then sends SIGHUP
    await writeFile(workers, `${ids.outsider}\n`)
    const friendGone = admin.waitForEvent('worker:disconnected', e => e.name === 'friend')
    admin.child.kill('SIGHUP')
    await admin.waitForEvent('allow-list:reloaded', e => e.file === workers && e.peers === 1)
    await friendGone
    start(['worker', '--admin', addrs[0], '--name', 'outsider', '--skill', '1', '--key', keys.outsider, '--json'])
    await admin.waitForEvent('task:completed', e => e.id === 'b' && e.worker === 'outsider')
  })

  it('warns when an open admin listens beyond this machine', async () => {
    const admin = start(['admin', '--listen', '/ip4/0.0.0.0/tcp/0', '--json'])
    await admin.waitForEvent('listening')
    await admin.waitUntil(() => admin.stderr.includes('this admin listens'), 10_000)
    expect(admin.stderr).toMatch(/this admin listens beyond this machine with neither --swarm-key nor --allow-workers\/--allow-clients/)
  })
})

describe('forged and invalid messages', () => {
  it('rejects a status message that describes another peer, and counts it against the sender', async () => {
    net = new Network()
    const manager = await net.admin([])
    const honest = await net.worker(manager, 'honest', 3, { statusIntervalMs: 50 })
    await nextEvent(manager, 'worker:status', s => s.id === honest.peerId)
    const rogue = await createNode({ services: {}, topics: [statusTopic('default')] })
    try {
      await rogue.dial(multiaddr(manager.details().addresses[0]!))
      const pubsub = rogue.services.pubsub
      pubsub.subscribe(statusTopic('default'))
      await new Promise<void>(resolve => {
        const check = (): void => { if (pubsub.getSubscribers(statusTopic('default')).length > 0) resolve(); else setImmediate(check) }
        check()
      })
      const rejected = nextEvent(manager, 'frame:rejected', d => d.peerId === rogue.peerId.toString())
      const forged = { peerId: honest.peerId, name: 'honest', state: 'idle', running: 0, capacity: 99, completed: 1_000_000, failed: 0, skill: 99, capabilities: [], cpu: 0, memoryBytes: 1, timestamp: Date.now() }
      await pubsub.publish(statusTopic('default'), StatusMessage.encode({ worker: forged }))
      expect((await rejected).reason).toBe(`status message: status message signed by ${rogue.peerId.toString()} describes ${honest.peerId}`)
      // the forged figures never reach the honest worker's record
      expect(manager.admin.view.worker(honest.peerId)?.memoryBytes).not.toBe(1)
    } finally {
      await rogue.stop()
    }
  })

  it('bans a peer that keeps sending invalid frames: disconnected, and refused while banned', async () => {
    net = new Network()
    const manager = await net.admin([], { maxInvalidFrames: 5, banMs: 60_000 })
    const rogue = await createNode({ services: {}, pubsub: false })
    try {
      const conn = await rogue.dial(multiaddr(manager.details().addresses[0]!))
      const stream = await conn.newStream('/taskmesh/tasks/1.0.0')
      const banned = nextEvent(manager, 'peer:banned', d => d.peerId === rogue.peerId.toString())
      const dropped = nextEvent(rogue, 'peer:disconnect')
      for (let i = 0; i < 5; i++) stream.send(Uint8Array.from([3, 0xff, 0xff, 0xff]))
      await banned
      // the ban drops its connection
      await dropped
      // while banned, the admin refuses its connections as soon as it knows who is calling: no stream opens
      const asked: Array<[string, boolean]> = []
      const isBanned = manager.admin.isBanned.bind(manager.admin)
      manager.admin.isBanned = (peerId: string) => {
        const refused = isBanned(peerId)
        asked.push([peerId, refused])
        return refused
      }
      const again = rogue.dial(multiaddr(manager.details().addresses[0]!), { signal: AbortSignal.timeout(5000) })
        .then(async c => c.newStream('/taskmesh/tasks/1.0.0', { signal: AbortSignal.timeout(5000) }))
      await expect(again).rejects.toThrow()
      expect(asked).toContainEqual([rogue.peerId.toString(), true])
      // the admin still takes everyone else: an honest peer dialing now opens its stream
      const honest = await createNode({ services: {}, pubsub: false })
      try {
        const opened = await (await honest.dial(multiaddr(manager.details().addresses[0]!))).newStream('/taskmesh/tasks/1.0.0')
        expect(opened.status).toBe('open')
        expect(asked).toContainEqual([honest.peerId.toString(), false])
      } finally {
        await honest.stop()
      }
    } finally {
      await rogue.stop()
    }
  })

  it('refuses payloads over the limit and hostile task fields, by path', async () => {
    net = new Network()
    const manager = await net.admin([], { maxPayloadBytes: 1000 })
    expect(() => manager.submit([{ id: 'big', payload: { blob: 'x'.repeat(2000) } }])).toThrow(/tasks\[0\]\.payload: is 2011 bytes, more than the 1000-byte limit/)
    expect(() => manager.submit([{ id: 'y'.repeat(600) }, { id: 'z', description: 'd'.repeat(70_000), requires: Array.from({ length: 70 }, (_, i) => `cap${i}`) }])).toThrow(expect.objectContaining({
      problems: [
        { path: 'tasks[0].id', message: 'is 600 characters long, more than 512' },
        { path: 'tasks[1].description', message: 'is 70000 characters long, more than 65536' },
        { path: 'tasks[1].requires', message: 'has 70 entries, more than 64' }
      ]
    }))
    expect(manager.summary().total).toBe(0)
  })
})
