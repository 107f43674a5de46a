import { TypedEventEmitter } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { describe, expect, it } from 'vitest'
import { Admission } from '../../src/admin/admission.js'
import { Announcer } from '../../src/admin/announcer.js'
import { WorkerProtocol } from '../../src/admin/worker-protocol.js'
import { Scheduler } from '../../src/core/scheduler.js'
import type { AdminEvents } from '../../src/admin/events.js'
import type { WorkerSession } from '../../src/admin/worker-session.js'

const log = defaultLogger().forComponent('test')

describe('heartbeats on the admin', () => {
  it('run the flush cycle only when one changes what the scheduler decides: a worker become busy or free', () => {
    let now = 0
    const scheduler = new Scheduler({ avoidBusyCpu: 0.9 })
    const announcer = new Announcer(new TypedEventEmitter<AdminEvents>(), log)
    const admission = new Admission({ scheduler, maxWorkers: 10, maxStrikes: 20, banMs: 60_000, clock: () => now, announcer })
    let cycles = 0
    const workers = new WorkerProtocol({
      scheduler, admission, announcer, cycle: { request: () => { cycles++ } }, network: 'n', clock: () => now, log, heartbeatMs: 5_000,
      maxFrameBytes: 1 << 20, preRegisterMaxFrameBytes: 1 << 16, maxBufferedBytes: 1 << 20, registerTimeoutMs: 60_000, closeGraceMs: 100
    })
    scheduler.registerWorker({ id: 'w', name: 'w', skill: 1, capabilities: [], maxConcurrent: 1, priority: 0 }, now)
    const session = { peerId: 'w' } as unknown as WorkerSession
    const beat = (cpu: number): number => {
      now += 5_000
      const before = cycles
      workers.onHeartbeat(session, { running: 0, cpu, memoryBytes: 1e6 })
      return cycles - before
    }
    // registering set the lease's deadline; heartbeats only move it: two hundred of them a second, for a
    // thousand idle workers, decide nothing
    expect([beat(0.1), beat(0.2), beat(0.1)]).toEqual([0, 0, 0])
    // busy, then free again: what the worker is given changes
    expect([beat(0.95), beat(0.97), beat(0.3), beat(0.3)]).toEqual([1, 0, 1, 0])
  })
})
