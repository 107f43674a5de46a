import { TypedEventEmitter } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { Admission, type Applicant } from '../../src/admin/admission.js'
import { Announcer } from '../../src/admin/announcer.js'
import { FULL_RETRY_AFTER_MS } from '../../src/admin/constants.js'
import { Scheduler } from '../../src/core/scheduler.js'
import { RegistrationRefusedError } from '../../src/errors.js'
import type { AdminEvents } from '../../src/admin/events.js'

function admission (maxWorkers: number): Admission {
  const log = Object.assign(() => {}, { error () {}, trace () {}, enabled: false }) as never
  return new Admission({ scheduler: new Scheduler(), maxWorkers, maxStrikes: 3, banMs: 60_000, clock: () => 0, announcer: new Announcer(new TypedEventEmitter<AdminEvents>(), log) })
}

const worker = (id: string): Applicant => ({ door: 'libp2p', workerId: id, name: id, peerId: id })
const agent = (name: string, peerId?: string): Applicant => ({ door: 'http', workerId: `pull:http:${name}`, name: `http:${name}`, ...(peerId != null ? { peerId } : {}) })

describe('admission', () => {
  it('a full admin says when to come back, counting every door, and takes the applicant once a slot is free', () => {
    const a = admission(2)
    for (const who of [worker('w1'), agent('scribe')]) {
      a.check(who)
      a.admit(who)
    }
    for (const late of [worker('w2'), agent('other')]) {
      expect(() => { a.check(late) }).toThrow(RegistrationRefusedError)
      try { a.check(late) } catch (err) {
        expect(err).toMatchObject({ retryAfterMs: FULL_RETRY_AFTER_MS, message: expect.stringMatching(/the admin already has 2 workers, its limit \(--max-workers\): trying again in 30 s/) })
      }
    }
    // one already admitted registers again: not counted twice
    expect(() => { a.check(worker('w1')) }).not.toThrow()
    a.left('w1')
    expect(() => { a.check(worker('w2')) }).not.toThrow()
  })

  it('a name belongs to whoever holds it; the names of agents that pull are theirs alone', () => {
    const a = admission(10)
    a.admit(agent('scribe', 'peerA'))
    expect(() => { a.check(agent('scribe', 'peerB')) }).toThrow(/the name "http:scribe" is held by another agent \(peer peerA\)/)
    expect(() => { a.check(agent('scribe')) }).toThrow(/held by another agent/)
    expect(() => { a.check(agent('scribe', 'peerA')) }).not.toThrow()
    expect(() => { a.check({ ...worker('w1'), name: 'http:scribe' }) }).toThrow(/names starting with "http:" are those of agents that pull work/)
    // a refusal for good carries no time to come back
    try { a.check(agent('scribe', 'peerB')) } catch (err) { expect((err as RegistrationRefusedError).retryAfterMs).toBeUndefined() }
  })

  it('bans an identity that sends too much invalid data, and says for how long', () => {
    const a = admission(10)
    expect(a.strike('w1', 'bad frame', 1)).toBe(false)
    expect(a.strike('w1', 'bad frame', 2)).toBe(true)
    expect(() => { a.check(worker('w1')) }).toThrow(/banned for 60 s more: too much invalid data/)
    expect(() => { a.check(worker('w2')) }).not.toThrow()
  })
})
