import { peerIdFromString } from '@libp2p/peer-id'
import { createRelay } from '../../node/relay-server.js'
import { RELAY_SLOT_CHECK_MS } from '../../node/constants.js'
import { isLoopbackAddress } from '../../node/announce.js'
import { loadOrCreateKey } from '../../node/identity.js'
import { AllowList } from '../../admin/allow-list.js'
import { DEFAULT_RELAY_LISTEN } from '../../protocol/constants.js'
import { createLogger } from '../log.js'
import { Output } from '../output.js'
import { readSwarmKey } from '../option-files.js'
import { onShutdownSignal } from '../signals.js'
import { EXIT_OK, UsageError } from '../exit-codes.js'
import type { LogOptions } from '../log-options.js'

export interface RelayCliOptions extends LogOptions {
  listen: string[]
  key?: string
  swarmKey?: string
  allow?: string
  maxReservations: number
  maxCircuits: number
  relayedDuration?: number
  relayedData?: number
  json?: boolean
}

/** `taskmesh relay`: a circuit relay for admins behind NAT, until SIGINT or SIGTERM. */
export async function runRelay (opts: RelayCliOptions): Promise<void> {
  const log = createLogger({ name: 'relay', logLevel: opts.logLevel, logFormat: opts.logFormat })
  const out = new Output({ json: opts.json === true, log })
  const listen = opts.listen.length > 0 ? opts.listen : [DEFAULT_RELAY_LISTEN]
  const allow = opts.allow != null ? await AllowList.load(opts.allow) : undefined
  const key = opts.key != null ? (await loadOrCreateKey(opts.key)).privateKey : undefined
  let relay: Awaited<ReturnType<typeof createRelay>>
  try {
    relay = await createRelay({
      listen,
      ...(key != null ? { privateKey: key } : {}),
      ...(opts.swarmKey != null ? { swarmKey: await readSwarmKey(opts.swarmKey) } : {}),
      ...(allow != null ? { allow: (peerId: string) => allow.has(peerId) } : {}),
      maxReservations: opts.maxReservations,
      maxCircuits: opts.maxCircuits,
      ...(opts.relayedDuration != null ? { durationLimitMs: opts.relayedDuration } : {}),
      ...(opts.relayedData != null ? { dataLimitBytes: BigInt(opts.relayedData) } : {})
    })
  } catch (err) {
    const text = `${(err as Error).message} ${(err as { cause?: Error }).cause?.message ?? ''}`
    if (/EADDRINUSE|address already in use/.test(text)) throw new UsageError(`--listen ${listen.join(' ')}: that port is in use (another relay, or another program); listen on another port, such as --listen /ip4/0.0.0.0/tcp/4004, or stop what uses it`)
    throw err
  }
  // libp2p's relay announces no event for a slot: who holds one is looked at once a second (at most 64 slots)
  let holders = new Set<string>()
  const slots = setInterval(() => {
    const now = new Set([...relay.services.relay.reservations.keys()].map(p => p.toString()))
    for (const peer of now) {
      if (holders.has(peer)) continue
      out.event('relay:reservation', { peer, expiry: relay.services.relay.reservations.get(peerIdFromString(peer))?.expiry.toISOString() })
      out.say(`slot reserved by ${peer}`)
    }
    for (const peer of holders) {
      if (now.has(peer)) continue
      out.event('relay:reservation-ended', { peer })
      out.say(`slot of ${peer} ended`)
    }
    holders = now
  }, RELAY_SLOT_CHECK_MS)
  const peerId = relay.peerId.toString()
  const addrs = relay.getMultiaddrs().map(a => a.toString())
  out.event('listening', { peerId, addrs })
  out.say(`taskmesh relay ${peerId}`)
  out.say('listening on')
  for (const a of addrs) out.say(`  ${a}`)
  out.say(`admins behind NAT keep a slot on it with\n  taskmesh admin --relay ${addrs.find(a => !isLoopbackAddress(a)) ?? addrs[0] ?? `/ip4/.../tcp/.../p2p/${peerId}`} ...`)
  const limits = [opts.relayedDuration != null ? `${opts.relayedDuration / 1000} s` : undefined, opts.relayedData != null ? `${opts.relayedData} bytes (both ways together)` : undefined].filter(Boolean)
  out.say(`${opts.maxReservations} slots; ${opts.maxCircuits} relayed connections per slot; ${limits.length > 0 ? `a relayed connection is reset after ${limits.join(' or ')}` : 'no limit on a relayed connection\'s time or data'}`)
  if (key == null) out.warn('! no --key: this relay has a new peer id, and so a new address, at every start; give --key FILE so the admins\' --relay stays right')
  if (addrs.some(a => !isLoopbackAddress(a)) && opts.swarmKey == null && allow == null) {
    out.warn('! this relay listens beyond this machine with neither --swarm-key nor --allow: anyone who reaches it can relay through it')
  }
  if (allow != null) {
    process.on('SIGHUP', () => {
      allow.reload().then(n => {
        out.event('allow-list:reloaded', { file: allow.file, peers: n })
        out.say(`reloaded ${allow.file}: ${n} peers`)
        // peers no longer listed are let go, with whatever they relay, and their slots with them
        for (const connection of relay.getConnections()) {
          if (!allow.has(connection.remotePeer.toString())) void connection.close().catch(() => {})
        }
        for (const peer of [...relay.services.relay.reservations.keys()]) {
          if (!allow.has(peer.toString())) relay.services.relay.reservations.delete(peer)
        }
      }, err => { out.warn(`${(err as Error).message}\n(keeping the previous list)`) })
    })
  }
  await new Promise<void>(resolve => onShutdownSignal(() => { resolve() }))
  clearInterval(slots)
  out.event('stopping', {})
  await relay.stop()
  process.exitCode = EXIT_OK
}
