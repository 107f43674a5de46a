import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WorkerSession, type SessionHandler } from '../../src/admin/worker-session.js'
import { AuthorizationError, RegistrationRefusedError } from '../../src/errors.js'
import { readFrames } from '../../src/protocol/frame-reader.js'
import { FrameWriter } from '../../src/protocol/frame-writer.js'
import { Frame } from '../../src/protocol/pb/tasks.js'
import { AdminSession } from '../../src/worker/session.js'
import type { WorkerInfo } from '../../src/core/registry.js'
import type { Stream } from '@libp2p/interface'

const log = defaultLogger().forComponent('test')
const register = { name: 'w', skill: 1, capabilities: [], maxConcurrent: 1, priority: 0, leases: [], version: '1', types: [], resources: new Map<string, number>() }
const result = (taskId: string): Frame => ({ result: { taskId, attempt: 1, token: 't', success: true, output: new Uint8Array(0), error: '', durationMs: 1, unrecoverable: false } })

/** The admin's session on one end of an in-memory stream pair, with a handler that records what it is told. */
async function adminSession (): Promise<{ worker: Stream, admin: Stream, calls: string[], closed: Promise<void>, next(): Promise<string> }> {
  const [worker, admin] = await streamPair()
  const calls: string[] = []
  let wake: (() => void) | undefined
  let closed!: () => void
  const closedP = new Promise<void>(resolve => { closed = resolve })
  const note = (call: string): void => {
    calls.push(call)
    wake?.()
  }
  const handler: SessionHandler = {
    onRegister: (session, reg) => {
      session.worker = { name: reg.name } as WorkerInfo
      note(`register ${reg.name}`)
    },
    onResult: (_s, r) => { note(`result ${r.taskId}`) },
    onHeartbeat: () => { note('heartbeat') },
    onDrain: () => { note('drain') },
    onHandlers: (_s, h) => { note(`handlers ${h.types.join(',')}`) },
    onUnregisteredBytes: () => {},
    onInvalid: (_s, reason, fatal) => { note(`invalid${fatal ? ' (fatal)' : ''}: ${reason}`) },
    onClose: () => {
      note('close')
      closed()
    }
  }
  const remotePeer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  new WorkerSession(admin, { remotePeer, close: async () => {} }, handler, { maxFrameBytes: 1024, preRegisterMaxFrameBytes: 1024, maxBufferedBytes: 1 << 20, registerTimeoutMs: 60_000, closeGraceMs: 100 }).start()
  let seen = 0
  return {
    worker,
    admin,
    calls,
    closed: closedP,
    next: async () => {
      if (calls.length <= seen) await new Promise<void>(resolve => { wake = resolve })
      return calls[seen++]!
    }
  }
}

describe("the admin's session of a worker, on in-memory streams", () => {
  it('reads nothing more from a stream whose first frame is not a Register', async () => {
    const { worker, admin, next, closed } = await adminSession()
    new FrameWriter(worker, Frame, { maxBufferedBytes: 1 << 20 }).write({ heartbeat: { running: 0 } })
    expect(await next()).toBe('invalid (fatal): the first frame is not a Register')
    await closed
    expect(admin.status).toBe('aborted')
  })

  it('hands each frame to its handler once registered, and refuses frames out of place', async () => {
    const { worker, next } = await adminSession()
    const writer = new FrameWriter(worker, Frame, { maxBufferedBytes: 1 << 20 })
    writer.write({ register })
    expect(await next()).toBe('register w')
    writer.write({ heartbeat: { running: 0 }, drain: { reason: 'x' } })
    expect(await next()).toBe('invalid: frame with 2 bodies (exactly one expected)')
    writer.write({ cancel: { taskId: 'a', attempt: 1, reason: 'x' } })
    expect(await next()).toBe('invalid: frame that only the admin sends')
    writer.write(result('a'))
    writer.write({ handlers: { types: ['simulate', 'summarize'] } })
    writer.write({ drain: { reason: 'leaving' } })
    expect(await next()).toBe('result a')
    expect(await next()).toBe('handlers simulate,summarize')
    expect(await next()).toBe('drain')
  })

  it('hands each result of a batch to its handler, and refuses a batch with what only the admin sends', async () => {
    const { worker, next } = await adminSession()
    const writer = new FrameWriter(worker, Frame, { maxBufferedBytes: 1 << 20 })
    writer.write({ batch: { results: [result('early').result!], assignments: [], resultAcks: [] } })
    expect(await next()).toBe('invalid (fatal): the first frame is not a Register')
    const registered = await adminSession()
    const w = new FrameWriter(registered.worker, Frame, { maxBufferedBytes: 1 << 20 })
    w.write({ register })
    expect(await registered.next()).toBe('register w')
    w.write({ batch: { results: [result('a').result!, result('b').result!], assignments: [], resultAcks: [] } })
    expect([await registered.next(), await registered.next()]).toEqual(['result a', 'result b'])
    w.write({ batch: { results: [result('c').result!], assignments: [], resultAcks: [{ taskId: 'x', attempt: 1, accepted: true }] } })
    expect([await registered.next(), await registered.next()]).toEqual(['invalid: batch with frames that only the admin sends', 'result c'])
    w.write({ batch: { results: [], assignments: [], resultAcks: [] } })
    expect(await registered.next()).toBe('invalid: empty batch')
  })

  it('refuses at once a length prefix that is not a varint, or that announces more than the limit', async () => {
    for (const prefix of [Uint8Array.from({ length: 11 }, () => 0xff), Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])]) {
      const { worker, next, closed } = await adminSession()
      worker.send(prefix)
      expect(await next()).toMatch(/^invalid \(fatal\): frame rejected: its length prefix (is not a varint of at most 5 bytes|announces at least \d+ bytes \(limit 1024 bytes\))$/)
      await closed
    }
  })

  it('ends the stream at a frame longer than the limit: it cannot be skipped', async () => {
    const { worker, admin, next, closed } = await adminSession()
    worker.send(varint.encode(4096))
    expect(await next()).toBe('invalid (fatal): frame rejected: its length prefix announces at least 4096 bytes (limit 1024 bytes)')
    await closed
    expect(admin.status).toBe('aborted')
  })

  it('hears a worker out before its close: a last result sent just before leaving is handled first', async () => {
    const { worker, calls, closed } = await adminSession()
    const writer = new FrameWriter(worker, Frame, { maxBufferedBytes: 1 << 20, autoFlush: false })
    writer.write({ register })
    writer.write(result('last'))
    writer.flush()
    await worker.close()
    await closed
    expect(calls).toEqual(['register w', 'result last', 'close'])
  })
})

describe("the worker's session with the admin, on in-memory streams", () => {
  it('takes a refusal as final, naming the reason; an authorization refusal keeps its name', async () => {
    const cases: Array<[string, string]> = [['LimitExceededError', RegistrationRefusedError.name], [AuthorizationError.name, AuthorizationError.name]]
    for (const [errorName, expected] of cases) {
      const [worker, admin] = await streamPair()
      const session = new AdminSession(worker, { onRegistered () { throw new Error('not registered') }, onAssignment () {}, onCancel () {}, onResultAck () {}, onAllDone () {} }, { maxFrameBytes: 1 << 20, maxBufferedBytes: 1 << 20, log })
      session.start(register)
      new FrameWriter(admin, Frame, { maxBufferedBytes: 1 << 20 }).write({ registerAck: { network: 'n', leaseTtlMs: 0, heartbeatMs: 0, error: 'the admin already has 4 workers, its limit', errorName, retryAfterMs: 0 } })
      await session.ended
      expect(session.accepted).toBe(false)
      expect(session.refusal?.name).toBe(expected)
      expect(session.refusal?.message).toMatch(/the admin already has 4 workers, its limit/)
    }
  })
})

describe("the worker's session and batches", () => {
  /** A worker's session and a scripted admin that says `batches` or not; returns the frames the admin read. */
  async function scripted (batches: boolean | undefined): Promise<{ session: AdminSession, read: Frame[], admin: FrameWriter<Frame>, heard: string[] }> {
    const [worker, adminEnd] = await streamPair()
    const read: Frame[] = []
    const heard: string[] = []
    const admin = new FrameWriter(adminEnd, Frame, { maxBufferedBytes: 1 << 20 })
    readFrames(adminEnd, Frame, {
      maxFrameBytes: 1 << 20,
      onFrame: f => {
        read.push(f)
        if (f.register != null) admin.write({ registerAck: { network: 'n', leaseTtlMs: 1000, heartbeatMs: 100, error: '', errorName: '', retryAfterMs: 0, ...(batches != null ? { batches } : {}) } })
      },
      onInvalid: () => {}
    })
    const session = new AdminSession(worker, {
      onRegistered () {},
      onAssignment (a) { heard.push(`assignment ${a.taskId}`) },
      onCancel () {},
      onResultAck (ack) { heard.push(`ack ${ack.taskId}`) },
      onAllDone () {}
    }, { maxFrameBytes: 1 << 20, maxBufferedBytes: 1 << 20, log })
    session.start(register)
    await vi.waitFor(() => { expect(session.accepted).toBe(true) })
    return { session, read, admin, heard }
  }

  it('sends the results it writes in a row as one batch once the admin says it reads them; to an older admin, one frame each', async () => {
    for (const batches of [true, undefined]) {
      const { session, read } = await scripted(batches)
      // an admin that does not know the field skips it; the version is one every admin reads
      expect(read[0]?.register).toMatchObject({ version: register.version, batches: true })
      for (const id of ['a', 'b', 'c']) session.send(result(id))
      const ids = (): string[] => read.slice(1).flatMap(f => f.batch?.results.map(r => r.taskId) ?? [f.result!.taskId])
      await vi.waitFor(() => { expect(ids()).toEqual(['a', 'b', 'c']) })
      expect(read.length).toBe(batches === true ? 2 : 4)
      await session.close()
    }
  })

  it('handles a batch from the admin item by item: acknowledgements, then assignments', async () => {
    const { session, admin, heard } = await scripted(true)
    const assignment = (taskId: string) => ({ taskId, attempt: 1, token: 't', description: '', type: 'simulate', difficulty: 1, payload: new Uint8Array(0), inputs: new Uint8Array(0), timeoutMs: 0, traceparent: '' })
    admin.write({ batch: { assignments: [assignment('x'), assignment('y')], results: [], resultAcks: [{ taskId: 'a', attempt: 1, accepted: true }] } })
    await vi.waitFor(() => { expect(heard).toEqual(['ack a', 'assignment x', 'assignment y']) })
    await session.close()
  })

  it('does not ask for batches with a frame limit below the longest batch', async () => {
    const [worker, adminEnd] = await streamPair()
    const read: Frame[] = []
    readFrames(adminEnd, Frame, { maxFrameBytes: 1 << 20, onFrame: f => { read.push(f) }, onInvalid: () => {} })
    const session = new AdminSession(worker, { onRegistered () {}, onAssignment () {}, onCancel () {}, onResultAck () {}, onAllDone () {} }, { maxFrameBytes: 16 * 1024, maxBufferedBytes: 1 << 20, log })
    session.start(register, 50)
    await vi.waitFor(() => { expect(read[0]?.register?.batches).toBe(false) })
    await session.ended
  })
})

describe("the worker's session refused for now", () => {
  it('keeps when to come back: a full admin, a ban or a quarantine names it', async () => {
    const [worker, admin] = await streamPair()
    const session = new AdminSession(worker, { onRegistered () { throw new Error('not registered') }, onAssignment () {}, onCancel () {}, onResultAck () {}, onAllDone () {} }, { maxFrameBytes: 1 << 20, maxBufferedBytes: 1 << 20, log })
    session.start(register)
    new FrameWriter(admin, Frame, { maxBufferedBytes: 1 << 20 }).write({ registerAck: { network: 'n', leaseTtlMs: 0, heartbeatMs: 0, error: 'the admin already has 4 workers, its limit (--max-workers): trying again in 30 s', errorName: RegistrationRefusedError.name, retryAfterMs: 30_000 } })
    await session.ended
    expect(session.refusal).toMatchObject({ name: RegistrationRefusedError.name, retryAfterMs: 30_000, message: expect.stringMatching(/trying again in 30 s/) })
  })
})

describe('a worker that hears nothing from its admin', () => {
  /** A worker's session and a scripted admin on in-memory streams, with the interval timers and clock under the test's hand. */
  async function silentAdmin (answersProbes: boolean | undefined): Promise<{ session: AdminSession, probes: () => number, answering: { on: boolean } }> {
    const [worker, admin] = await streamPair()
    let probes = 0
    const answering = { on: true }
    const writer = new FrameWriter(admin, Frame, { maxBufferedBytes: 1 << 20 })
    readFrames(admin, Frame, {
      maxFrameBytes: 1 << 20,
      onFrame: f => {
        if (f.register != null) writer.write({ registerAck: { network: 'n', leaseTtlMs: 1000, heartbeatMs: 100, error: '', errorName: '', retryAfterMs: 0, ...(answersProbes != null ? { answersProbes } : {}) } })
        if (f.heartbeat?.probe === true) {
          probes++
          if (answering.on) writer.write({ alive: {} })
        }
      },
      onInvalid: () => {}
    })
    const session: AdminSession = new AdminSession(worker, {
      onRegistered (ack) { session.startHeartbeat(ack, () => ({ running: 0 })) },
      onAssignment () {},
      onCancel () {},
      onResultAck () {},
      onAllDone () {}
    }, { maxFrameBytes: 1 << 20, maxBufferedBytes: 1 << 20, log })
    session.start(register)
    await vi.waitFor(() => { expect(session.accepted).toBe(true) })
    return { session, probes: () => probes, answering }
  }

  afterEach(() => { vi.useRealTimers() })

  it('asks for an answer after a quiet heartbeat interval, and ends the session once the admin is silent for a lease TTL', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] })
    const { session, probes, answering } = await silentAdmin(true)
    let ended = false
    void session.ended.then(() => { ended = true })
    // answered: 3 s of probes, the session stays
    for (let i = 0; i < 30; i++) {
      await vi.advanceTimersByTimeAsync(100)
      await vi.waitFor(() => { expect(probes()).toBeGreaterThanOrEqual(Math.floor(i / 2)) })
    }
    expect(ended).toBe(false)
    expect(session.silence).toBeUndefined()
    // unanswered: it gives up after the lease TTL
    answering.on = false
    for (let i = 0; i < 12; i++) await vi.advanceTimersByTimeAsync(100)
    await session.ended
    expect(session.silence?.name).toBe('TimeoutError')
    expect(session.silence?.message).toMatch(/the admin said nothing for 1\.\d s, not even to a heartbeat that asked for an answer/)
  })

  it('ends the session when the admin does not answer the registration (a connection the network no longer carries)', async () => {
    const [worker] = await streamPair()
    const session = new AdminSession(worker, { onRegistered () { throw new Error('not registered') }, onAssignment () {}, onCancel () {}, onResultAck () {}, onAllDone () {} }, { maxFrameBytes: 1 << 20, maxBufferedBytes: 1 << 20, log })
    session.start(register, 50)
    await session.ended
    expect(session.accepted).toBe(false)
    expect(session.silence?.message).toBe('the admin did not answer the registration within 0.05 s')
  })

  it('never probes an admin that does not answer probes (older admins), nor gives up on its silence', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] })
    const { session, probes } = await silentAdmin(undefined)
    let ended = false
    void session.ended.then(() => { ended = true })
    await vi.advanceTimersByTimeAsync(5_000)
    expect(probes()).toBe(0)
    expect(ended).toBe(false)
    await session.close()
  })
})
