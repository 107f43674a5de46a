import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import * as varint from 'uint8-varint'
import { createNode } from '../../src/node/create-node.js'
import { TASK_PROTOCOL } from '../../src/protocol/constants.js'
import { readFrames } from '../../src/protocol/frame-reader.js'
import { FrameWriter } from '../../src/protocol/frame-writer.js'
import { Frame, type Register } from '../../src/protocol/pb/tasks.js'
import type { Libp2p, PrivateKey, Stream } from '@libp2p/interface'

/**
 * Peers that speak the task protocol with hostile intent, for tests and the bench: each is what a user of
 * the protocol could do, within what it allows.
 */

const register = (fields: Partial<Register>): Register => ({ name: 'hostile', skill: 0, capabilities: [], types: ['simulate'], maxConcurrent: 1024, priority: 0, leases: [], version: '2', resources: new Map(), ...fields })

export async function peer (key?: PrivateKey): Promise<Libp2p> {
  return await createNode({ services: {}, pubsub: false, ...(key != null ? { privateKey: key } : {}) })
}

/** A task stream to the admin, with what comes back on it. */
export async function taskStream (node: Libp2p, address: string): Promise<{ stream: Stream, writer: FrameWriter<Frame>, frames: AsyncIterable<Frame> & { next(): Promise<Frame | undefined> } }> {
  const stream = await node.dialProtocol(multiaddr(address), TASK_PROTOCOL)
  const writer = new FrameWriter(stream, Frame, { maxBufferedBytes: 64 * 1024 * 1024 })
  const queue: Frame[] = []
  const state = { wake: undefined as (() => void) | undefined, ended: false }
  readFrames(stream, Frame, { maxFrameBytes: 8 * 1024 * 1024, onFrame: f => { queue.push(f); state.wake?.() }, onInvalid: () => {} })
  stream.addEventListener('close', () => { state.ended = true; state.wake?.() })
  const next = async (): Promise<Frame | undefined> => {
    while (queue.length === 0 && !state.ended) await new Promise<void>(resolve => { state.wake = resolve })
    return queue.shift()
  }
  return { stream, writer, frames: { next, async * [Symbol.asyncIterator] () { for (;;) { const f = await next(); if (f == null) return; yield f } } } }
}

/**
 * Registers, takes what it is assigned and disconnects, `rounds` times: under a fresh peer id each time,
 * or always under one. Returns how many rounds reached the admin's task stream, how many times it was
 * assigned work, what the admin said when it refused a registration, and how the others were turned away
 * before any stream opened (a quarantine's strikes become a ban, and a banned peer is refused at the door).
 */
export async function churner (address: string, options: { rounds: number, freshIds: boolean, signal?: AbortSignal }): Promise<{ reached: number, assigned: number, refused: string[], turnedAway: string[] }> {
  const key = options.freshIds ? undefined : await generateKeyPair('Ed25519')
  let reached = 0
  let assigned = 0
  const refused: string[] = []
  const turnedAway: string[] = []
  for (let round = 0; round < options.rounds && options.signal?.aborted !== true; round++) {
    const node = await peer(key)
    try {
      const { writer, frames } = await taskStream(node, address)
      reached++
      writer.write({ register: register({ name: `churner-${options.freshIds ? round : 'x'}` }) })
      for (let f = await frames.next(); f != null; f = await frames.next()) {
        if (f.registerAck != null && f.registerAck.error !== '') { refused.push(f.registerAck.error); break }
        if (f.assignment != null) { assigned++; break }
      }
    } catch (err) {
      // refused at the door (a ban): it tries again
      turnedAway.push(`${(err as Error).name}: ${(err as Error).message}`)
    } finally {
      await node.stop()
    }
  }
  return { reached, assigned, refused, turnedAway }
}

/** Registers asking for 1024 attempts at once, keeps its leases alive, and never answers. Stop it to end. */
export async function hoarder (address: string): Promise<{ held: () => number, stop: () => Promise<void> }> {
  const node = await peer()
  const { writer, frames } = await taskStream(node, address)
  let held = 0
  let heartbeat: ReturnType<typeof setInterval> | undefined
  writer.write({ register: register({ name: 'hoarder' }) })
  void (async () => {
    for await (const f of frames) {
      if (f.registerAck != null && f.registerAck.error === '') heartbeat = setInterval(() => { writer.write({ heartbeat: { running: held } }) }, f.registerAck.heartbeatMs)
      if (f.assignment != null) held++
    }
  })()
  return { held: () => held, stop: async () => { clearInterval(heartbeat); await node.stop() } }
}

/**
 * Registrations that lie, each on its own stream and its own peer id; returns what the admin said to each,
 * and the peer ids, so what the admin reported about each can be checked.
 */
export async function liar (address: string, honestName: string): Promise<Array<{ peerId: string, answer: string }>> {
  const lies: Array<Partial<Register>> = [
    { skill: 1e308 },
    { priority: -(2 ** 31) },
    { name: honestName },
    { maxConcurrent: 1, leases: Array.from({ length: 100 }, (_, i) => ({ taskId: `t${i}`, attempt: 1, token: 'forged' })) },
    { capabilities: Array.from({ length: 65 }, (_, i) => `c${i}`) },
    { version: 'x'.repeat(3 * 1024 * 1024) }
  ]
  const answers: Array<{ peerId: string, answer: string }> = []
  for (const lie of lies) {
    const node = await peer()
    const peerId = node.peerId.toString()
    try {
      const { writer, frames } = await taskStream(node, address)
      writer.write({ register: register({ name: `liar-${answers.length}`, ...lie }) })
      const f = await frames.next()
      answers.push({ peerId, answer: f?.registerAck != null ? f.registerAck.error : 'stream closed without an answer' })
    } catch (err) {
      answers.push({ peerId, answer: `refused: ${(err as Error).message}` })
    } finally {
      await node.stop()
    }
  }
  return answers
}

/**
 * Peers that never register: each opens task streams and sends frames it never finishes, just under the
 * limit before registration. Returns how many streams opened, how many dials failed (and why), and each
 * peer's id.
 */
export async function flood (address: string, options: { peers: number, streamsPerPeer: number }): Promise<{ opened: number, refused: number, failures: string[], peerIds: string[], stop: () => Promise<void> }> {
  const nodes: Libp2p[] = []
  let opened = 0
  let refused = 0
  const failures: string[] = []
  const unfinished = Uint8Array.from([...varint.encode(63 * 1024), ...new Uint8Array(62 * 1024)])
  await Promise.all(Array.from({ length: options.peers }, async () => {
    const node = await peer()
    nodes.push(node)
    for (let s = 0; s < options.streamsPerPeer; s++) {
      try {
        const stream = await node.dialProtocol(multiaddr(address), TASK_PROTOCOL)
        stream.send(unfinished)
        opened++
      } catch (err) {
        refused++
        failures.push((err as Error).message)
      }
    }
  }))
  return { opened, refused, failures, peerIds: nodes.map(n => n.peerId.toString()), stop: async () => { await Promise.all(nodes.map(async n => { await n.stop() })) } }
}

/** A claim over HTTP, as an agent that pulls sends it; the claims it got, or none when refused. */
async function claimOverHttp (base: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<Array<{ token: string }>> {
  try {
    const res = await fetch(`${base}/api/claims`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(signal != null ? { signal } : {}) })
    if (res.status !== 200) return []
    return ((await res.json()) as { claims: Array<{ token: string }> }).claims
  } catch {
    return []
  }
}

/**
 * Agents that pull work over HTTP with hostile intent, until `signal` aborts: a hoarder that claims all it
 * can under one name and keeps its leases alive without ever answering; a churner that claims under a fresh
 * name each time and goes silent (its leases expire); and a flood of fresh names that claim nothing (each
 * is a worker for a lease TTL). Returns what each got.
 */
export async function pullAttackers (base: string, signal: AbortSignal): Promise<{ hoarded: number, churned: number, names: number }> {
  const hoard = (async () => {
    let held = 0
    const tokens: string[] = []
    while (!signal.aborted) {
      const claims = await claimOverHttp(base, { agent: 'hoarder', max: 256, waitSeconds: 1 }, signal)
      held += claims.length
      tokens.push(...claims.map(c => c.token))
      // keep every lease alive, answer nothing
      for (const token of tokens.slice(-16)) await fetch(`${base}/api/claims/${token}/heartbeat`, { method: 'POST', signal }).catch(() => {})
      if (claims.length === 0) await new Promise(resolve => setTimeout(resolve, 100))
    }
    return held
  })()
  const churn = (async () => {
    let held = 0
    for (let i = 0; !signal.aborted; i++) {
      held += (await claimOverHttp(base, { agent: `churner-${i}`, max: 4, waitSeconds: 0.2 }, signal)).length
    }
    return held
  })()
  const names = (async () => {
    let made = 0
    for (let i = 0; !signal.aborted; i++) {
      await claimOverHttp(base, { agent: `name-${i}`, max: 0 }, signal)
      made++
    }
    return made
  })()
  const [hoarded, churned, made] = await Promise.all([hoard, churn, names])
  return { hoarded, churned, names: made }
}
