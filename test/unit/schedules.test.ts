import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Scheduler } from '../../src/core/scheduler.js'
import { isDurable } from '../../src/core/events.js'
import { MemoryJournal } from '../../src/store/journal.js'
import { taskSpec, type TaskSpec } from '../../src/core/task.js'
import { slotTaskId, type ScheduleSpec } from '../../src/core/schedules.js'
import type { ValidationError } from '../../src/core/errors.js'

const T0 = Date.parse('2026-12-05T10:00:30Z')

/** An admin's scheduler on a fake clock, writing each turn to a journal; `restart` starts another on it. */
function admin (journal = new MemoryJournal(), now = T0) {
  const scheduler = new Scheduler({ archive: journal.archive })
  scheduler.restore(journal.load(), now, { schedules: journal.schedules() })
  // as the admin's flush cycle: time passes, then the turn's decisions are written
  const turn = (): void => {
    scheduler.tick(now)
    const events = scheduler.takeEvents().filter(isDurable)
    const { schedules, purged } = scheduler.takeRecords()
    const archive = scheduler.takeArchived()
    journal.append({ events, archive, schedules, purged })
    scheduler.archived(archive, purged)
  }
  turn()
  return {
    scheduler,
    journal,
    get now () { return now },
    put (spec: Omit<ScheduleSpec, 'task'> & { task?: Partial<TaskSpec> }) {
      const [record] = scheduler.putSchedules([{ ...spec, task: taskSpec({ id: 'template', type: 'report', ...spec.task }) }], now)
      turn()
      return record
    },
    /** Time passes to `at`, ticking as the admin's timer would (at each next deadline). */
    until (at: number) {
      for (;;) {
        const next = scheduler.view.nextDeadline()
        if (next == null || next > at) break
        now = Math.max(now, next)
        turn()
      }
      now = at
      turn()
    },
    /** Ids of the tasks the schedules submitted, in the journal, in order. */
    fired: () => [...journal.load()].flatMap(e => e.type === 'submitted' ? [e.task.id] : [])
  }
}

describe('schedules', () => {
  it('every N seconds: from the next whole slot, one task a slot, its id the name and the slot', () => {
    const a = admin()
    expect(a.put({ name: 'tick', everyMs: 60_000 })).toMatchObject({ name: 'tick', lastSlot: Date.parse('2026-12-05T10:00:00Z'), paused: false, catchUp: 'none' })
    expect(a.scheduler.schedules.get('tick').nextAt).toBe(Date.parse('2026-12-05T10:01:00Z'))
    a.until(Date.parse('2026-12-05T10:03:10Z'))
    expect(a.fired()).toEqual(['tick@2026-12-05T10:01:00Z', 'tick@2026-12-05T10:02:00Z', 'tick@2026-12-05T10:03:00Z'])
    expect(a.scheduler.view.getTask('tick@2026-12-05T10:01:00Z').spec.type).toBe('report')
    expect(a.scheduler.schedules.get('tick')).toMatchObject({ lastTask: 'tick@2026-12-05T10:03:00Z', nextAt: Date.parse('2026-12-05T10:04:00Z') })
  })

  it('cron in a time zone, 5 or 6 fields', () => {
    const a = admin()
    a.put({ name: 'paris', cron: '0 12 * * *', timezone: 'Europe/Paris' })
    a.put({ name: 'secs', cron: '*/20 * * * * *' })
    expect(a.scheduler.schedules.get('paris').nextAt).toBe(Date.parse('2026-12-05T11:00:00Z'))
    a.until(Date.parse('2026-12-05T11:00:00Z'))
    expect(a.fired().filter(id => id.startsWith('paris'))).toEqual(['paris@2026-12-05T11:00:00Z'])
    expect(a.fired().filter(id => id.startsWith('secs')).slice(0, 2)).toEqual(['secs@2026-12-05T10:00:40Z', 'secs@2026-12-05T10:01:00Z'])
    expect(a.fired().filter(id => id.startsWith('secs'))).toHaveLength(179)
  })

  it('slots missed while no admin ran: let pass (catch_up none), or the latest fired once (catch_up last)', () => {
    const first = admin()
    first.put({ name: 'none', everyMs: 3_600_000 })
    first.put({ name: 'last', everyMs: 3_600_000, catchUp: 'last' })
    first.until(Date.parse('2026-12-05T11:00:00Z'))
    expect(first.fired()).toEqual(['none@2026-12-05T11:00:00Z', 'last@2026-12-05T11:00:00Z'])
    // down from 11:00 to 14:20: 12:00, 13:00 and 14:00 were missed
    const second = admin(first.journal, Date.parse('2026-12-05T14:20:00Z'))
    second.until(Date.parse('2026-12-05T15:00:00Z'))
    expect(second.fired().slice(2)).toEqual(['last@2026-12-05T14:00:00Z', 'none@2026-12-05T15:00:00Z', 'last@2026-12-05T15:00:00Z'])
  })

  it('paused, lets its slots pass; resumed, fires from the next one; removed, fires no more, across restarts', () => {
    const a = admin()
    a.put({ name: 'tick', everyMs: 60_000 })
    a.scheduler.schedules.setPaused('tick', true, a.now)
    a.until(Date.parse('2026-12-05T10:05:30Z'))
    expect(a.fired()).toEqual([])
    expect(a.scheduler.schedules.get('tick').nextAt).toBeUndefined()
    const b = admin(a.journal, a.now)
    expect(b.scheduler.schedules.get('tick').paused).toBe(true)
    b.scheduler.schedules.setPaused('tick', false, b.now)
    b.until(Date.parse('2026-12-05T10:06:00Z'))
    expect(b.fired()).toEqual(['tick@2026-12-05T10:06:00Z'])
    expect(b.scheduler.schedules.remove('tick')).toBe(true)
    b.until(Date.parse('2026-12-05T10:09:00Z'))
    expect(admin(b.journal, b.now).scheduler.schedules.list()).toEqual([])
    expect(b.fired()).toHaveLength(1)
  })

  it('refuses what cannot fire, naming the field', () => {
    const a = admin()
    const problems = (spec: Partial<ScheduleSpec>): unknown => {
      try {
        a.scheduler.putSchedules([{ name: 'x', task: taskSpec({ id: 't' }), ...spec }], a.now)
      } catch (err) {
        return (err as ValidationError).problems.map(p => `${p.path}: ${p.message}`)
      }
      return 'accepted'
    }
    expect(problems({})).toEqual(['schedules[0]: give cron ("0 10 * * *") or every (seconds), one of them'])
    expect(problems({ cron: '* * * * *', everyMs: 60_000 })).toEqual(['schedules[0]: give cron ("0 10 * * *") or every (seconds), one of them'])
    expect(problems({ everyMs: 500 })).toEqual(['schedules[0].every: must be a number of seconds from 1 to 31622400'])
    expect(problems({ everyMs: 1e300 })).toEqual(['schedules[0].every: must be a number of seconds from 1 to 31622400'])
    expect(problems({ cron: '0 0 31 2 *' })).toEqual(['schedules[0].cron: "0 0 31 2 *" never fires (a date no month has, such as February 31?)'])
    expect(problems({ cron: 'every day' })).toEqual([expect.stringMatching(/^schedules\[0\]\.cron: .*such as "0 10 \* \* \*"/)])
    expect(problems({ cron: '* * * * * * *' })).toEqual([expect.stringMatching(/^schedules\[0\]\.cron: not 5 or 6 fields: give 5 fields/)])
    expect(problems({ cron: '0 10 * * *', timezone: 'Mars/Olympus' })).toEqual(['schedules[0].timezone: unknown time zone "Mars/Olympus": give an IANA name such as Europe/Paris or America/New_York'])
    expect(problems({ everyMs: 60_000, task: taskSpec({ id: 't', dependsOn: ['nope'] }) })).toEqual(['schedules[0].task.dependsOn[0]: unknown task "nope"'])
    expect(() => a.scheduler.schedules.setPaused('nope', true, a.now)).toThrow(/unknown schedule "nope": there are none/)
  })

  it('a task someone else submitted under a slot\'s id is not the schedule\'s; retention keeps what a template depends on', () => {
    const a = admin()
    a.scheduler.submit([taskSpec({ id: 'tick@2026-12-05T10:01:00Z' }), taskSpec({ id: 'base' })], a.now)
    a.put({ name: 'tick', everyMs: 60_000, task: { dependsOn: ['base'] } })
    a.scheduler.cancel('base', a.now)
    expect(a.scheduler.purge({ before: a.now + 1 }, a.now)).toBe(0)
    a.until(Date.parse('2026-12-05T10:02:00Z'))
    expect(a.scheduler.schedules.get('tick')).toMatchObject({ lastTask: 'tick@2026-12-05T10:02:00Z' })
    expect(a.scheduler.view.has('base')).toBe(true)
    const b = admin()
    b.scheduler.submit([taskSpec({ id: 'tick@2026-12-05T10:01:00Z' })], b.now)
    b.put({ name: 'tick', everyMs: 60_000 })
    b.until(Date.parse('2026-12-05T10:01:00Z'))
    expect(b.scheduler.schedules.get('tick').lastError).toBe('a task "tick@2026-12-05T10:01:00Z" was there already, not this schedule\'s: the slot submitted nothing')
  })

  it('property: an admin killed at any moment and started again (after up to 30 s) fires each slot at most once, and every slot while one runs', () => {
    fc.assert(fc.property(fc.array(fc.record({ runFor: fc.integer({ min: 100, max: 9_000 }), down: fc.integer({ min: 0, max: 30_000 }), lostTurn: fc.boolean() }), { minLength: 1, maxLength: 6 }), (lives) => {
      let journal = new MemoryJournal()
      let now = T0
      const up: Array<[number, number]> = []
      for (const [i, life] of lives.entries()) {
        const a = admin(journal, now)
        if (i === 0) a.put({ name: 'tick', everyMs: 1_000, catchUp: i % 2 === 0 ? 'none' : 'last' })
        const start = a.now
        // ticks as a busy admin would, every 250 ms
        for (let t = start + 250; t <= start + life.runFor; t += 250) a.until(t)
        up.push([start, a.now])
        if (life.lostTurn) {
          // a last turn decided but never written: killed before its batch reached the journal
          a.scheduler.tick(a.now + 900)
          a.scheduler.takeEvents()
          a.scheduler.takeRecords()
        }
        journal = a.journal
        now = a.now + life.down
      }
      const fired = [...journal.load()].flatMap(e => e.type === 'submitted' ? [e.task.id] : [])
      expect(new Set(fired).size).toBe(fired.length)
      // a slot an admin was running through (ticking after it, before the next) fired
      for (const [from, to] of up) {
        for (let slot = Math.ceil((from + 1) / 1000) * 1000; slot + 250 <= to; slot += 1000) expect(fired).toContain(slotTaskId('tick', slot))
      }
    }), { numRuns: 60 })
  })
})
