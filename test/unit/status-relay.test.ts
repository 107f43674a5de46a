import { TypedEventEmitter } from '@libp2p/interface'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Admission } from '../../src/admin/admission.js'
import { Announcer } from '../../src/admin/announcer.js'
import { StatusRelay } from '../../src/admin/status-relay.js'
import { PROGRESS_BROADCAST_MIN_INTERVAL_MS } from '../../src/admin/constants.js'
import { StatusMessage } from '../../src/protocol/pb/status.js'
import { statusTopic } from '../../src/protocol/constants.js'
import { Scheduler } from '../../src/core/scheduler.js'
import { taskSpec } from '../../src/core/task.js'
import type { AdminEvents } from '../../src/admin/events.js'
import type { GossipSub } from '@libp2p/gossipsub'

/** A pubsub that keeps what is published. */
function fakePubsub () {
  const published: StatusMessage[] = []
  const pubsub = {
    topicValidators: new Map(),
    addEventListener () {},
    removeEventListener () {},
    subscribe () {},
    unsubscribe () {},
    async publish (_topic: string, data: Uint8Array) { published.push(StatusMessage.decode(data)) }
  }
  return { pubsub: pubsub as unknown as GossipSub, published }
}

describe('the admin\'s progress broadcast', () => {
  beforeEach(() => { vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }) })
  afterEach(() => { vi.useRealTimers() })

  it('goes out at most once per interval, and the last asked-for state always goes out', () => {
    const { pubsub, published } = fakePubsub()
    const scheduler = new Scheduler()
    const events = new TypedEventEmitter<AdminEvents>()
    const log = Object.assign(() => {}, { error () {}, trace () {}, enabled: false }) as never
    const announcer = new Announcer(events, log)
    const admission = new Admission({ scheduler, maxWorkers: 1, maxStrikes: 1, banMs: 1, clock: () => 0, announcer })
    const relay = new StatusRelay({ pubsub, network: 'n', peerId: 'admin', scheduler, log, clock: () => 0, events, announcer, admission, cycle: { request () {} } })
    relay.start()
    relay.publishProgress()
    expect(published.map(m => m.admin?.total)).toEqual([0])
    // asked again at once, several times: nothing more now
    scheduler.submit([taskSpec({ id: 'a' })], 0)
    relay.publishProgress()
    scheduler.submit([taskSpec({ id: 'b' })], 0)
    events.safeDispatchEvent('done', { detail: { total: 2, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 } })
    expect(published).toHaveLength(1)
    // once, at the end of the interval, with the counts of then
    vi.advanceTimersByTime(PROGRESS_BROADCAST_MIN_INTERVAL_MS)
    expect(published.map(m => m.admin?.total)).toEqual([0, 2])
    vi.advanceTimersByTime(10 * PROGRESS_BROADCAST_MIN_INTERVAL_MS)
    expect(published).toHaveLength(2)
    relay.stop()
  })

  it('runs the scheduler when a worker\'s status says it became busy or free, and only then', () => {
    const { pubsub } = fakePubsub()
    const scheduler = new Scheduler({ avoidBusyCpu: 0.9 })
    scheduler.registerWorker({ id: 'w', name: 'w', skill: 1, capabilities: [], maxConcurrent: 1, priority: 0 }, 0)
    const events = new TypedEventEmitter<AdminEvents>()
    const log = Object.assign(() => {}, { error () {}, trace () {}, enabled: false }) as never
    const announcer = new Announcer(events, log)
    const admission = new Admission({ scheduler, maxWorkers: 1, maxStrikes: 1, banMs: 1, clock: () => 0, announcer })
    let cycles = 0
    const relay = new StatusRelay({ pubsub, network: 'n', peerId: 'admin', scheduler, log, clock: () => 0, events, announcer, admission, cycle: { request () { cycles++ } } })
    relay.start()
    const validate = pubsub.topicValidators.get(statusTopic('n'))!
    const say = (cpu: number): number => {
      const before = cycles
      const worker = { peerId: 'w', name: 'w', state: 'idle', running: 0, capacity: 1, completed: 0, failed: 0, skill: 1, capabilities: [], cpu, memoryBytes: 1, timestamp: 1 }
      void validate(undefined as never, { type: 'signed', from: { toString: () => 'w' }, topic: statusTopic('n'), data: StatusMessage.encode({ worker }) } as never)
      return cycles - before
    }
    expect([say(0.5), say(0.95), say(0.96), say(0.2), say(0.3)]).toEqual([0, 1, 0, 1, 0])
    expect(scheduler.view.worker('w')?.cpu).toBe(0.3)
    relay.stop()
  })
})
