import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, cliProcesses, type CliProcess } from '../helpers/cli.js'
import { Lan, netnsUnavailable } from '../helpers/netns.js'
import { requirement } from '../helpers/system.js'

const fixture = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname
const unavailable = requirement('the tests across network namespaces', netnsUnavailable()).missing
const HOSTS = ['admin', 'junior', 'intermediate', 'senior', 'isolated']
const WORKERS = [['junior', 'Junior', 3], ['intermediate', 'Intermediate', 6], ['senior', 'Senior', 9]] as const

// Runs only where namespaces can be made (root on Linux, with iproute2); CI sets TASKMESH_REQUIRE_ALL=1.
describe.runIf(unavailable == null)(`across hosts: each peer in its own network namespace${unavailable != null ? ` (skipped: ${unavailable})` : ''}`, () => {
  let lan: Lan
  const processes = cliProcesses()
  const on = (host: string, args: string[]): CliProcess => processes.start(args, { command: [...lan.exec(host), process.execPath, BIN] })

  beforeAll(() => {
    lan = new Lan(HOSTS, { noMulticast: ['isolated'] })
    lan.up()
  })
  afterAll(() => { lan?.down() })

  it('runs the tutorial with the admin and each worker on a different host', async () => {
    const admin = on('admin', ['admin', '--tasks', fixture('tutorial.json'), '--expected-workers', '3', '--listen', '/ip4/0.0.0.0/tcp/4001', '--exit-when-done', '--json'])
    const { addrs, peerId } = await admin.waitForEvent('listening')
    const lanAddress = `/ip4/${lan.address('admin')}/tcp/4001/p2p/${peerId}`
    expect(addrs).toContain(lanAddress)
    for (const [host, name, skill] of WORKERS) on(host, ['worker', '--admin', lanAddress, '--name', name, '--skill', String(skill), '--json'])
    expect(await admin.exit()).toBe(0)
    expect(admin.events.at(-1)).toMatchObject({
      event: 'summary',
      succeeded: 3,
      tasks: [{ id: '1', worker: 'Junior' }, { id: '2', worker: 'Intermediate' }, { id: '3', worker: 'Senior' }]
    })
    // the workers really came from their own hosts
    const connected = admin.events.filter(e => e.event === 'worker:connected').map(e => e.name).sort()
    expect(connected).toEqual(['Intermediate', 'Junior', 'Senior'])
  })

  it('finds the admin by its bare peer id through mDNS on the LAN', async () => {
    const admin = on('admin', ['admin', '--tasks', fixture('tutorial.json'), '--expected-workers', '3', '--listen', '/ip4/0.0.0.0/tcp/4001', '--mdns', '--exit-when-done', '--json'])
    const { peerId } = await admin.waitForEvent('listening')
    for (const [host, name, skill] of WORKERS) on(host, ['worker', '--admin', peerId, '--name', name, '--skill', String(skill), '--json'])
    expect(await admin.exit()).toBe(0)
    expect(admin.events.at(-1)).toMatchObject({ event: 'summary', succeeded: 3 })
  })
  it('says that a multicast route is missing when mDNS cannot work on a host, instead of blaming swarm keys', async () => {
    // no admin answers this id: what the worker says about the lookup is the point
    const peerId = '12D3KooWGzh5E5SrCodfqgKEDxQ9ZzkJY8Q1vHjqNrHyGZkcRoFX'
    const worker = on('isolated', ['worker', '--admin', peerId, '--name', 'lost', '--skill', '1', '--json'])
    const retry = await worker.waitForEvent('reconnecting')
    expect(retry.reason).toMatch(/no admin .* found by mDNS: this host has no route for multicast \(224\.0\.0\.251\), which mDNS needs; add one \(as root: ip route add 224\.0\.0\.0\/4 dev <the LAN interface>\)/)
    expect(retry.reason).not.toMatch(/swarm key/)
    // on a host with the route, the same lookup says what else to check
    const other = on('junior', ['worker', '--admin', peerId, '--name', 'lost', '--skill', '1', '--json'])
    expect((await other.waitForEvent('reconnecting')).reason).toMatch(/found by mDNS within \d+ ms: is it running with --mdns, on this LAN\?/)
    worker.kill('SIGTERM')
    other.kill('SIGTERM')
    await Promise.all([worker.exited, other.exited])
  })
})
