import { generateKeyPair } from '@libp2p/crypto/keys'
import { TypedEventEmitter } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { Admission } from '../../src/admin/admission.js'
import { Announcer } from '../../src/admin/announcer.js'
import { FlushCycle } from '../../src/admin/flush-cycle.js'
import { WorkerProtocol } from '../../src/admin/worker-protocol.js'
import { PullWorkers } from '../../src/admin/pull-workers.js'
import { Scheduler } from '../../src/core/scheduler.js'
import { taskSpec } from '../../src/core/task.js'
import { AdminSession } from '../../src/worker/session.js'
import type { AdminEvents } from '../../src/admin/events.js'
import type { Frame, TaskAssignment } from '../../src/protocol/pb/tasks.js'
import { GatedJournal } from '../helpers/journal.js'
import type { Journal } from '../../src/store/journal.js'
import type { Connection, Stream } from '@libp2p/interface'

const log = defaultLogger().forComponent('test')

/** The admin's parts around a scheduler, wired as the service wires them. */
function adminParts (scheduler: Scheduler, journal: Journal, events: TypedEventEmitter<AdminEvents>): { workers: WorkerProtocol, pull: PullWorkers, cycle: FlushCycle } {
  const announcer = new Announcer(events, log)
  const admission = new Admission({ scheduler, maxWorkers: 10, maxStrikes: 20, banMs: 60_000, clock: () => 1, announcer })
  const request = { request: () => { cycle.request() } }
  const workers = new WorkerProtocol({
    scheduler, admission, announcer, cycle: request, network: 'seams', clock: () => 1, log, heartbeatMs: 60_000,
    maxFrameBytes: 1024 * 1024, preRegisterMaxFrameBytes: 64 * 1024, maxBufferedBytes: 1024 * 1024, registerTimeoutMs: 60_000, closeGraceMs: 100
  })
  const pull = new PullWorkers({ scheduler, admission, cycle: request, clock: () => 1 })
  const cycle: FlushCycle = new FlushCycle({ scheduler, journal, workers, pull, admission, announcer, clock: () => 1 })
  return { workers, pull, cycle }
}

/** What the worker side of the stream received, in order; `until` waits for a frame. */
function workerSide (stream: Stream): { frames: Frame[], session: AdminSession, until(match: (f: Frame) => boolean): Promise<Frame> } {
  const frames: Frame[] = []
  const waiters: Array<{ match(f: Frame): boolean, resolve(f: Frame): void }> = []
  const record = (frame: Frame): void => {
    frames.push(frame)
    for (const w of [...waiters]) {
      if (!w.match(frame)) continue
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve(frame)
    }
  }
  const session = new AdminSession(stream, {
    onRegistered: registerAck => { record({ registerAck }) },
    onAssignment: assignment => { record({ assignment }) },
    onCancel: cancel => { record({ cancel }) },
    onResultAck: resultAck => { record({ resultAck }) },
    onAllDone: allDone => { record({ allDone }) }
  }, { maxFrameBytes: 1024 * 1024, maxBufferedBytes: 1024 * 1024, log })
  return {
    frames,
    session,
    until: async match => {
      const seen = frames.find(match)
      if (seen != null) return seen
      return await new Promise<Frame>(resolve => waiters.push({ match, resolve }))
    }
  }
}

async function setUp (): Promise<{ journal: GatedJournal, scheduler: Scheduler, events: TypedEventEmitter<AdminEvents>, worker: ReturnType<typeof workerSide>, adminSends: { count: number }, resultHandled(): Promise<void> }> {
  const [workerStream, adminStream] = await streamPair()
  const adminSends = { count: 0 }
  const send = adminStream.send.bind(adminStream)
  adminStream.send = data => {
    adminSends.count++
    return send(data)
  }
  const journal = new GatedJournal()
  const scheduler = new Scheduler({ random: () => 0.5, archive: journal.archive })
  scheduler.submit([taskSpec({ id: 'a' }), taskSpec({ id: 'b' })], 0)
  const events = new TypedEventEmitter<AdminEvents>()
  events.addEventListener('frame:rejected', ({ detail }) => { throw new Error(`unexpected refusal: ${detail.reason}`) })
  const { workers, cycle } = adminParts(scheduler, journal, events)
  cycle.start()
  const remotePeer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  workers.accept(adminStream, { remotePeer, close: async () => {} } as unknown as Connection)
  // the test learns when the admin has handled a result frame (it has no public event for that)
  let handled: (() => void) | undefined
  const onResult = workers.onResult.bind(workers)
  workers.onResult = (session, result) => {
    onResult(session, result)
    handled?.()
  }
  const worker = workerSide(workerStream)
  const resultHandled = async (): Promise<void> => { await new Promise<void>(resolve => { handled = resolve }) }
  return { journal, scheduler, events, worker, adminSends, resultHandled }
}

const resultOf = (a: TaskAssignment): Frame => ({ result: { taskId: a.taskId, attempt: a.attempt, token: a.token, success: true, output: new TextEncoder().encode('"done"'), error: '', durationMs: 1, unrecoverable: false } })

describe('a result from the worker to the acknowledgement, on in-memory streams', () => {
  it('nothing leaves the admin, and nothing is announced, before the journal has the batch', async () => {
    const { journal, events, worker, adminSends } = await setUp()
    const completed: string[] = []
    events.addEventListener('task:completed', ({ detail }) => { completed.push(detail.id) })

    // registering leads to two assignments: they, and the registration's acknowledgement, wait for their write
    worker.session.start({ name: 'w', skill: 1, capabilities: [], maxConcurrent: 2, priority: 0, leases: [], version: '1', types: [], resources: new Map() })
    await journal.begun(1)
    expect(journal.batches[0]!.map(e => e.type)).toEqual(['submitted', 'submitted', 'assigned', 'assigned'])
    expect(adminSends.count).toBe(0)
    journal.finish()
    const a = (await worker.until(f => f.assignment?.taskId === 'a')).assignment!
    await worker.until(f => f.assignment?.taskId === 'b')
    // one send: the worker hears it is registered before it hears of its work
    expect(adminSends.count).toBe(1)
    expect(worker.frames.map(f => f.registerAck != null ? 'registerAck' : f.assignment?.taskId)).toEqual(['registerAck', 'a', 'b'])

    // the result: accepted at once, acknowledged and announced only once journaled
    worker.session.send(resultOf(a))
    await journal.begun(2)
    expect(journal.batches[1]!.map(e => e.type)).toEqual(['attempt-ended'])
    expect(adminSends.count).toBe(1)
    expect(completed).toEqual([])
    journal.finish()
    const ack = (await worker.until(f => f.resultAck?.taskId === 'a')).resultAck!
    expect(ack).toEqual({ taskId: 'a', attempt: 1, accepted: true })
    expect(completed).toEqual(['a'])
  })

  it('writes one batch at a time: what is decided meanwhile is written, then sent, after it; "done" waits for it too, for the admin and its workers', async () => {
    const { journal, scheduler, events, worker, adminSends, resultHandled } = await setUp()
    let done = 0
    events.addEventListener('done', () => { done++ })
    worker.session.start({ name: 'w', skill: 1, capabilities: [], maxConcurrent: 2, priority: 0, leases: [], version: '1', types: [], resources: new Map() })
    await journal.begun(1)
    journal.finish()
    const a = (await worker.until(f => f.assignment?.taskId === 'a')).assignment!
    const b = (await worker.until(f => f.assignment?.taskId === 'b')).assignment!
    const sendsBefore = adminSends.count

    worker.session.send(resultOf(a))
    await journal.begun(2)
    // the second result arrives while the first is being written: the scheduler accepts it at once...
    const handled = resultHandled()
    worker.session.send(resultOf(b))
    await handled
    expect(scheduler.view.getTask('b').state).toBe('succeeded')
    // ...but its write waits for the first one, and neither acknowledgement has left
    expect(journal.batches).toHaveLength(2)
    expect(adminSends.count).toBe(sendsBefore)

    journal.finish()
    await worker.until(f => f.resultAck?.taskId === 'a')
    // every task is final in memory, but b's result is not journaled yet: not done
    expect(scheduler.view.isDone()).toBe(true)
    expect(done).toBe(0)
    await journal.begun(3)
    expect(journal.batches[2]!.map(e => e.type === 'attempt-ended' ? e.taskId : e.type)).toEqual(['b'])
    expect(worker.frames.some(f => f.resultAck?.taskId === 'b')).toBe(false)
    expect(worker.frames.some(f => f.allDone != null)).toBe(false)
    journal.finish()
    await worker.until(f => f.resultAck?.taskId === 'b')
    expect(done).toBe(1)
    // the worker hears it too, after the acknowledgement that made it so
    expect((await worker.until(f => f.allDone != null)).allDone).toEqual({ total: 2, succeeded: 2, failed: 0, skipped: 0, cancelled: 0 })
    expect(worker.frames.findIndex(f => f.allDone != null)).toBeGreaterThan(worker.frames.findIndex(f => f.resultAck?.taskId === 'b'))
  })
})

describe('a result from an agent that pulls', () => {
  it('is answered only once the batch holding it is written, not the batch in flight when it came', async () => {
    const journal = new GatedJournal()
    const scheduler = new Scheduler({ random: () => 0.5, archive: journal.archive })
    scheduler.submit([taskSpec({ id: 'a', type: 'pulled' })], 0)
    const { pull, cycle } = adminParts(scheduler, journal, new TypedEventEmitter<AdminEvents>())
    cycle.start()
    const caller = { door: 'http' as const }

    const claimed = pull.claim(caller, { agent: 'p', types: ['pulled'], max: 1, waitMs: 60_000 })
    await journal.begun(1)
    journal.finish()
    const { worker, claims: [claim] } = await claimed
    expect(worker).toBe('http:p')
    expect(claim!.task.id).toBe('a')

    // another batch is being written when the result comes
    scheduler.submit([taskSpec({ id: 'other', type: 'none' })], 1)
    cycle.request()
    await journal.begun(2)
    let answered = false
    // as the admin answers an agent: once what its result decided is recorded
    const outcome = pull.finish(caller, { token: claim!.token }, { success: true, output: 'done' })
    const finished = cycle.recorded().then(() => { answered = true; return outcome })
    journal.finish()
    // the batch in flight is written: the result's own batch is not yet, so no answer
    await journal.begun(3)
    expect(journal.batches[2]!.map(e => e.type)).toContain('attempt-ended')
    expect(answered).toBe(false)
    journal.finish()
    expect(await finished).toBe('accepted')
  })
})
