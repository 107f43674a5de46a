import { Cron } from 'croner'
import { MAX_EVERY_MS, MAX_SCHEDULES, MIN_EVERY_MS, SCHEDULE_GRACE_MS } from './constants.js'
import { LimitExceededError, UnknownScheduleError, ValidationError, type Problem } from './errors.js'
import { isoTime } from './time.js'
import { checkSubmission } from './graph.js'
import type { StrategyRegistry } from './strategy-registry.js'
import type { TaskSpec } from './task.js'
import type { SubmitResult } from './options.js'

/** What a schedule does with slots missed while no admin ran (or one was held up past the grace). */
export type CatchUp = 'none' | 'last'

/** A recurring task as given: when it fires (`cron` in a time zone, or `everyMs`), and the task each firing submits. */
export interface ScheduleSpec {
  name: string
  /** 5 fields (minute hour day month weekday) or 6 (seconds first). */
  cron?: string
  /** An IANA time zone for `cron`, such as Europe/Paris. @default UTC */
  timezone?: string
  /** Every so many ms, in slots counted from the epoch (every 60 s: on each whole minute). */
  everyMs?: number
  /** @default 'none' */
  catchUp?: CatchUp
  /** The task each firing submits; its id is the schedule's name and the slot (`tick@2026-12-05T10:00:00Z`). */
  task: TaskSpec
}

/** A schedule as the journal keeps it: its spec, whether it is paused, and where its firings stand. */
export interface ScheduleRecord extends ScheduleSpec {
  paused: boolean
  /** The latest slot dealt with (fired, or let pass); the next firing is after it. */
  lastSlot: number
  /** The id of the last task it submitted. */
  lastTask?: string
  /** Why its last firing submitted nothing (the template no longer fits: a dependency unknown now). */
  lastError?: string
  createdAt: number
}

/** A schedule as callers see it: with its next firing. */
export type ScheduleView = ScheduleRecord & { nextAt?: number }

/** A slot to fire: submit `task` under its derived id. */
export interface Firing {
  name: string
  slot: number
  task: TaskSpec
}

/** The id of the task a schedule submits for a slot: `NAME@2026-12-05T10:00:00Z` (milliseconds only when not 0). */
export function slotTaskId (name: string, slot: number): string {
  return `${name}@${isoTime(slot).replace('.000Z', 'Z')}`
}

/**
 * What a firing's submit came to: the task it added, or the one holding its dedup key; a task of the slot's
 * id that was there already (submitted by someone else) is not the schedule's, and the slot added nothing.
 */
export function firedOutcome (id: string, result: SubmitResult): { task: string } | { error: string } {
  if (result.added.includes(id)) return { task: id }
  const holder = result.deduplicated?.[0]?.task
  if (holder != null) return { task: holder }
  return { error: `a task "${id}" was there already, not this schedule's: the slot submitted nothing` }
}

interface Entry {
  record: ScheduleRecord
  cron: Cron | undefined
  /** The next slot after `record.lastSlot`, undefined when there is none (a cron that never fires again). */
  next: number | undefined
}

/**
 * The recurring tasks and where each stands. Pure: every method that depends on time takes `now`. Each slot
 * is dealt with once: `due` moves a schedule's `lastSlot` past it, and the journal records that with the
 * task it submitted, in one batch, so an admin restarted (or a standby taking over) neither fires a slot
 * again nor loses one: at most one task per slot, and one per slot while an admin runs.
 */
export class Schedules {
  private readonly entries = new Map<string, Entry>()
  private changed = new Set<string>()
  private removed = new Set<string>()
  private soonest: number | undefined
  private stale = true

  /** After a restart: the schedules as the journal kept them. */
  restore (records: Iterable<ScheduleRecord>): void {
    for (const record of records) this.entries.set(record.name, entry(record))
    this.stale = true
  }

  /**
   * Adds schedules, or replaces those of their names (which keep their pause and the slots they dealt with),
   * all or none: each is checked first, its template as a submission would be. `checkOnly`: nothing is added.
   */
  put (specs: readonly ScheduleSpec[], now: number, check: { strategies: Pick<StrategyRegistry, 'knows' | 'names'>, isKnown: (id: string) => boolean, checkOnly?: boolean }): ScheduleRecord[] {
    const crons = specs.map((spec, i) => {
      checkSubmission([{ ...spec.task, id: slotTaskId(spec.name, now) }], check.strategies, check.isKnown, { pathOf: () => `schedules[${i}].task` })
      return checkSchedule(spec, `schedules[${i}]`)
    })
    const added = new Set(specs.map(s => s.name).filter(name => !this.entries.has(name))).size
    if (this.entries.size + added > MAX_SCHEDULES) throw new LimitExceededError(`${this.entries.size} schedules are held, and ${MAX_SCHEDULES} at most may be: remove some first`)
    return check.checkOnly === true ? [] : specs.map((spec, i) => this.putOne(spec, crons[i], now))
  }

  private putOne (spec: ScheduleSpec, cron: Cron | undefined, now: number): ScheduleRecord {
    const old = this.entries.get(spec.name)?.record
    const record: ScheduleRecord = {
      ...spec,
      catchUp: spec.catchUp ?? 'none',
      paused: old?.paused ?? false,
      // a new schedule fires from its next slot on, not for one before it was added
      lastSlot: old?.lastSlot ?? latestSlot(spec, cron, now) ?? now,
      createdAt: old?.createdAt ?? now
    }
    this.entries.set(spec.name, { record, cron, next: nextSlot(record, cron) })
    this.touch(spec.name)
    return record
  }

  remove (name: string): boolean {
    if (!this.entries.delete(name)) return false
    this.changed.delete(name)
    this.removed.add(name)
    this.stale = true
    return true
  }

  /** Pauses or resumes a schedule; resumed, it fires from its next slot on (slots while paused are let pass). */
  setPaused (name: string, paused: boolean, now: number): ScheduleRecord {
    const e = this.require(name)
    if (e.record.paused === paused) return e.record
    e.record = { ...e.record, paused }
    if (!paused) e.record.lastSlot = Math.max(e.record.lastSlot, latestSlot(e.record, e.cron, now) ?? e.record.lastSlot)
    e.next = nextSlot(e.record, e.cron)
    this.touch(name)
    return e.record
  }

  list (): ScheduleView[] {
    return [...this.entries.values()].map(e => e.next != null && !e.record.paused ? { ...e.record, nextAt: e.next } : { ...e.record })
  }

  get (name: string): ScheduleView {
    const e = this.require(name)
    return e.next != null && !e.record.paused ? { ...e.record, nextAt: e.next } : { ...e.record }
  }

  get size (): number {
    return this.entries.size
  }

  /** The tasks the schedules' templates depend on: retention keeps them. */
  * dependencies (): Iterable<string> {
    for (const e of this.entries.values()) yield * e.record.task.dependsOn
  }

  /**
   * The slots due at `now`, one per schedule at most: its latest slot since the last one it dealt with. It
   * fires when on time (within the grace) or with `catchUp: 'last'`; otherwise it is let pass. Either way
   * the schedule moves past it.
   */
  due (now: number): Firing[] {
    const soonest = this.nextAt()
    if (soonest == null || soonest > now) return []
    const firings: Firing[] = []
    for (const e of this.entries.values()) {
      if (e.record.paused || e.next == null || e.next > now) continue
      const slot = latestSlot(e.record, e.cron, now) ?? e.next
      if (now - slot <= SCHEDULE_GRACE_MS || e.record.catchUp === 'last') firings.push({ name: e.record.name, slot, task: e.record.task })
      e.record = { ...e.record, lastSlot: slot }
      e.next = nextSlot(e.record, e.cron)
      this.touch(e.record.name)
    }
    return firings
  }

  /** What a firing submitted: the task's id, or why it submitted nothing. */
  fired (name: string, outcome: { task: string } | { error: string }): void {
    const e = this.entries.get(name)
    if (e == null) return
    const { lastTask: _t, lastError: _e, ...rest } = e.record
    e.record = 'task' in outcome ? { ...rest, lastTask: outcome.task } : { ...rest, lastError: outcome.error }
    this.touch(name)
  }

  /** The earliest slot of a schedule that is not paused. */
  nextAt (): number | undefined {
    if (this.stale) {
      this.soonest = undefined
      for (const e of this.entries.values()) {
        if (!e.record.paused && e.next != null && (this.soonest == null || e.next < this.soonest)) this.soonest = e.next
      }
      this.stale = false
    }
    return this.soonest
  }

  /** The schedules changed and removed since the last call: recorded with the batch. */
  take (): { put: ScheduleRecord[], removed: string[] } {
    const put = [...this.changed].map(name => this.entries.get(name)!.record)
    const removed = [...this.removed]
    this.changed = new Set()
    this.removed = new Set()
    return { put, removed }
  }

  private touch (name: string): void {
    this.changed.add(name)
    this.removed.delete(name)
    this.stale = true
  }

  private require (name: string): Entry {
    const e = this.entries.get(name)
    if (e == null) throw new UnknownScheduleError(`unknown schedule "${name}"${this.entries.size > 0 ? `; schedules are ${[...this.entries.keys()].slice(0, 20).join(', ')}` : ': there are none'}`)
    return e
  }
}

function entry (record: ScheduleRecord): Entry {
  const cron = record.cron != null ? cronOf(record) : undefined
  return { record, cron, next: nextSlot(record, cron) }
}

function cronOf (spec: ScheduleSpec): Cron {
  return new Cron(spec.cron!, { paused: true, mode: '5-or-6-parts', timezone: spec.timezone ?? 'UTC' })
}

/** The latest slot at or before `now`. */
function latestSlot (spec: ScheduleSpec, cron: Cron | undefined, now: number): number | undefined {
  if (spec.everyMs != null) return Math.floor(now / spec.everyMs) * spec.everyMs
  return cron!.previousRuns(1, new Date(now + 1))[0]?.getTime()
}

/** The first slot after the last one dealt with. */
function nextSlot (record: ScheduleRecord, cron: Cron | undefined): number | undefined {
  if (record.everyMs != null) return (Math.floor(record.lastSlot / record.everyMs) + 1) * record.everyMs
  return cron!.nextRun(new Date(record.lastSlot))?.getTime()
}

/** Checks a schedule's timing; returns its cron, when it has one. A ValidationError names what is wrong under `path`. */
export function checkSchedule (spec: ScheduleSpec, path: string): Cron | undefined {
  const problems: Problem[] = []
  if ((spec.cron == null) === (spec.everyMs == null)) problems.push({ path, message: 'give cron ("0 10 * * *") or every (seconds), one of them' })
  if (spec.everyMs != null && !(Number.isInteger(spec.everyMs) && spec.everyMs >= MIN_EVERY_MS && spec.everyMs <= MAX_EVERY_MS)) problems.push({ path: `${path}.every`, message: `must be a number of seconds from ${MIN_EVERY_MS / 1000} to ${MAX_EVERY_MS / 1000}` })
  if (spec.timezone != null && spec.cron == null) problems.push({ path: `${path}.timezone`, message: 'goes with cron' })
  if (spec.catchUp != null && spec.catchUp !== 'none' && spec.catchUp !== 'last') problems.push({ path: `${path}.catch_up`, message: 'must be none or last' })
  let cron: Cron | undefined
  if (spec.cron != null && problems.length === 0) {
    try {
      cron = cronOf(spec)
      // an unknown time zone shows only once a time is converted; a date that never comes, only then too
      if (cron.nextRun(new Date()) == null) problems.push({ path: `${path}.cron`, message: `"${spec.cron}" never fires (a date no month has, such as February 31?)` })
    } catch (err) {
      const zone = /timezone/i.test((err as Error).message)
      problems.push(zone
        ? { path: `${path}.timezone`, message: `unknown time zone "${spec.timezone}": give an IANA name such as Europe/Paris or America/New_York` }
        : { path: `${path}.cron`, message: `${cronProblem((err as Error).message)}: give 5 fields, such as "0 10 * * *" (minute hour day month weekday), or 6 with seconds first, such as "*/30 * * * * *"` })
    }
  }
  if (problems.length > 0) throw new ValidationError(problems, { subject: 'schedules' })
  return cron
}

/** croner's complaint, as it applies to the 5 or 6 fields taskmesh takes. */
function cronProblem (message: string): string {
  const m = message.replace(/^CronPattern: /, '').replace(/\.$/, '')
  return /separated parts|requires exactly/.test(m) ? 'not 5 or 6 fields' : m
}
