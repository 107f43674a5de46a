import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, cliProcesses, runCli, type CliProcess } from '../helpers/cli.js'
import { Internet, natUnavailable } from '../helpers/nat.js'
import { requirement } from '../helpers/system.js'

const fixture = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname
const unavailable = requirement('the tests across NATs in network namespaces', natUnavailable()).missing

// Runs only where namespaces and iptables exist (root on Linux); CI sets TASKMESH_REQUIRE_ALL=1.
describe.runIf(unavailable == null)(`across NATs: an admin behind one, workers behind another, a relay between${unavailable != null ? ` (skipped: ${unavailable})` : ''}`, () => {
  let net: Internet
  let dir: string
  const processes = cliProcesses()
  const on = (host: string, args: string[]): CliProcess => processes.start(args, { command: [...net.exec(host), process.execPath, BIN] })

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'taskmesh-nat-'))
    // "cloud" is a public machine (a GPU box with an address of its own); office and home are behind routers,
    // home's a symmetric NAT (a new public port for every connection)
    net = new Internet(['relay', 'cloud'], { office: ['admin'], home: ['laptop', 'desktop'] }, { symmetric: ['home'] })
    net.up()
  })
  afterAll(() => {
    net?.down()
    rmSync(dir, { recursive: true, force: true })
  })

  /** Starts the relay (with a lasting key, so a restart keeps its address) and returns its public address. */
  async function startRelay (): Promise<{ relay: CliProcess, address: string }> {
    const relay = on('relay', ['relay', '--listen', '/ip4/0.0.0.0/tcp/4003', '--key', join(dir, 'relay.key'), '--json'])
    const { addrs } = await relay.waitForEvent('listening')
    const address = (addrs as string[]).find(a => a.startsWith(`/ip4/${net.address('relay')}/`))!
    expect(address, JSON.stringify(addrs)).toBeDefined()
    return { relay, address }
  }

  /** The admin's relayed address, as it printed it. */
  const relayedAddress = (listening: Record<string, unknown>): string => (listening.addrs as string[]).find(a => a.includes('/p2p-circuit/'))!

  it('runs the tutorial with the admin behind one NAT and its workers behind another, symmetric: through the relay', async () => {
    const { address: relayAddress } = await startRelay()
    const admin = on('admin', ['admin', '--tasks', fixture('tutorial.json'), '--expected-workers', '2', '--listen', '/ip4/0.0.0.0/tcp/4001', '--relay', relayAddress, '--json'])
    const listening = await admin.waitForEvent('listening')
    const relayed = relayedAddress(listening)
    expect(relayed).toMatch(new RegExp(`^/ip4/${net.address('relay').replace(/\./g, '\\.')}/tcp/4003/p2p/\\w+/p2p-circuit/p2p/${String(listening.peerId)}$`))
    // its own address is private: nobody outside the office can dial it, and the relay's view says so
    expect((listening.addrs as string[]).some(a => a.startsWith(`/ip4/${net.address('admin')}/tcp/4001/`))).toBe(true)
    expect(await admin.waitForEvent('relay:reserved')).toMatchObject({ seenAs: net.routerAddress('office'), behindNat: true, addresses: [relayed] })
    expect(admin.lines.join('\n')).not.toMatch(/sees this admin/) // --json: events only
    const laptop = on('laptop', ['worker', '--admin', relayed, '--name', 'laptop', '--skill', '9', '--json'])
    const desktop = on('desktop', ['worker', '--admin', relayed, '--name', 'desktop', '--skill', '9', '--json'])
    expect((await laptop.waitForEvent('connected')).via).toBe('relayed')
    expect((await desktop.waitForEvent('connected')).via).toBe('relayed')
    await admin.waitUntil(() => admin.events.filter(e => e.event === 'task:completed').length === 3)
    // an operator at home reaches the admin the same way, and sees how each worker is connected
    const listed = await runCli(['workers', '--admin', relayed, '--json'], { command: [...net.exec('laptop'), process.execPath, BIN] })
    expect(listed.code).toBe(0)
    const workers = listed.events.find(e => e.event === 'workers')!.workers as Array<{ name: string, via: string }>
    expect(workers.map(w => [w.name, w.via]).sort()).toEqual([['desktop', 'relayed'], ['laptop', 'relayed']])
    const table = await runCli(['workers', '--admin', relayed], { command: [...net.exec('laptop'), process.execPath, BIN] })
    expect(table.stdout).toMatch(/│ via\s+│/)
    expect(table.stdout).toMatch(/laptop .*│ relayed │/)
  })

  it('moves a worker that has a public address to a direct connection: the admin behind NAT dials it', async () => {
    const { address: relayAddress } = await startRelay()
    const admin = on('admin', ['admin', '--tasks', fixture('tutorial.json'), '--expected-workers', '1', '--listen', '/ip4/0.0.0.0/tcp/4001', '--relay', relayAddress, '--exit-when-done', '--json'])
    const relayed = relayedAddress(await admin.waitForEvent('listening'))
    const cloud = on('cloud', ['worker', '--admin', relayed, '--name', 'cloud', '--skill', '9', '--listen', '/ip4/0.0.0.0/tcp/4010', '--json'])
    // it dialled the relayed address; DCUtR on the admin opened a connection to its public one
    expect((await cloud.waitForEvent('connected')).via).toBe('direct')
    expect(await admin.exit()).toBe(0)
    expect(admin.events.find(e => e.event === 'worker:connected')).toMatchObject({ name: 'cloud', via: 'direct' })
    expect(admin.events.at(-1)).toMatchObject({ event: 'summary', succeeded: 3 })
  })

  it('holds leases, results exactly once and reconnection when the relay restarts mid-run', async () => {
    const tasks = Array.from({ length: 40 }, (_, i) => ({ id: `t${i}`, type: 'simulate', difficulty: 1 }))
    const file = join(dir, 'many.json')
    writeFileSync(file, JSON.stringify({ tasks }))
    const first = await startRelay()
    let relay = first.relay
    const relayAddress = first.address
    const admin = on('admin', ['admin', '--tasks', file, '--expected-workers', '2', '--listen', '/ip4/0.0.0.0/tcp/4001', '--relay', relayAddress, '--data-dir', join(dir, 'state'), '--exit-when-done', '--json'])
    const relayed = relayedAddress(await admin.waitForEvent('listening'))
    const workers = ['laptop', 'desktop'].map(host => on(host, ['worker', '--admin', relayed, '--name', host, '--skill', '5', '--max-concurrent', '2', '--simulate-time', '0.1', '--json']))
    const completed = (): number => admin.events.filter(e => e.event === 'task:completed').length
    await admin.waitUntil(() => completed() >= 5)
    // the relay dies with work in flight, and comes back at the same address
    relay.kill('SIGKILL')
    await relay.exited
    await admin.waitForEvent('relay:lost')
    for (const w of workers) await w.waitForEvent('reconnecting')
    relay = (await startRelay()).relay
    // a slot again (the first was reserved at start)
    await admin.waitUntil(() => admin.events.filter(e => e.event === 'relay:reserved').length === 2)
    // each worker connects again through it, with the leases it held
    for (const w of workers) await w.waitUntil(() => w.events.filter(e => e.event === 'connected').length >= 2)
    expect(await admin.exit()).toBe(0)
    const summary = admin.events.at(-1)!
    expect(summary).toMatchObject({ event: 'summary', succeeded: 40, failed: 0 })
    // every task completed exactly once: no result was taken twice, whoever ran it again
    const ids = admin.events.filter(e => e.event === 'task:completed' && e.status === 'succeeded').map(e => e.id)
    expect(ids.length).toBe(40)
    expect(new Set(ids).size).toBe(40)
  })
})
