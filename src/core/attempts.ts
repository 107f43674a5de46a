import { backoffDelay } from './backoff.js'
import { LOSS_MEMORY_MS, PROBATION_FACTOR, PROBATION_FLOOR_MS, PROBATION_MAX_DOUBLINGS, PROBATION_UNKNOWN_TYPE_MS, QUARANTINE_AFTER_LOSSES } from './constants.js'
import type { TypeDurations } from './durations.js'
import type { Due } from './due.js'
import type { SchedulerEvent } from './events.js'
import type { TaskLedger } from './ledger.js'
import type { ReportedResult, ReportOutcome } from './options.js'
import type { WorkerRegistry, WorkerState } from './registry.js'
import type { Reputation } from './reputation.js'
import type { Strategy } from './strategies/index.js'
import type { TaskRecord } from './task-record.js'

export interface AttemptsInit {
  ledger: TaskLedger
  registry: WorkerRegistry
  reputation: Reputation
  durations: TypeDurations
  random: () => number
  newToken: () => string
  maxLostAttempts: number
}

/**
 * What becomes of an attempt: it is given to a worker with a lease token (and, for a worker that has
 * delivered nothing yet, a probation), its result is taken or refused, it times out, or it is lost with its
 * worker and blamed on it; then whether the task runs again. A loss that quarantines its worker is handed
 * back to the caller, which takes the worker off.
 */
export class Attempts {
  private readonly init: AttemptsInit

  constructor (init: AttemptsInit) {
    this.init = init
  }

  assign (task: TaskRecord, worker: WorkerState, strategy: Strategy, now: number): void {
    const { ledger, newToken } = this.init
    const event: SchedulerEvent = { type: 'assigned', at: now, taskId: task.id, attempt: task.attempts.length + 1, workerId: worker.id, workerName: worker.name, token: newToken() }
    if (task.spec.timeoutMs != null) event.deadline = now + task.spec.timeoutMs
    ledger.commit(event, task)
    strategy.assigned?.(task.spec, worker)
    // a worker that has delivered nothing yet may hold an attempt only so long, from its first attempt on
    // (a type nobody has finished yet is looked at again now and then: once others finish it, its history applies)
    const probation = worker.standing.proven ? undefined : this.probationOf(task)
    if (probation != null) ledger.due.add(now + (probation.learned ? probation.ms : Math.min(probation.ms, PROBATION_FLOOR_MS)), { kind: 'probation', task, attempt: event.attempt })
  }

  /** A worker reports the result of an attempt. Only the current lease holder's result is accepted. */
  report (workerId: string, result: ReportedResult, now: number): ReportOutcome {
    const { ledger, registry, reputation, durations } = this.init
    const task = ledger.tasks.get(result.taskId)
    if (task == null) {
      // archived: its every attempt is over (the archive keeps no lease tokens; the worker is checked)
      const past = ledger.archive.get(result.taskId)?.attempts[result.attempt - 1]
      if (past == null || past.workerId !== workerId) return 'rejected'
      if (past.outcome === 'succeeded' || past.outcome === 'failed') return 'duplicate'
      ledger.commit({ type: 'late-result-unrecorded', at: now, taskId: result.taskId, attempt: result.attempt, workerId, success: result.success })
      return 'late'
    }
    const current = task.current
    if (current != null && current.attempt === result.attempt) {
      if (current.workerId !== workerId || current.token !== result.token) return 'rejected'
      const durationMs = result.durationMs ?? now - current.assignedAt
      if (!result.success) {
        this.end(task, 'failed', now, { error: result.error ?? 'failed', durationMs, unrecoverable: result.unrecoverable === true })
        return 'accepted'
      }
      const ended: SchedulerEvent = { type: 'attempt-ended', at: now, taskId: task.id, attempt: current.attempt, workerId, outcome: 'succeeded', durationMs }
      if (result.output !== undefined) ended.output = result.output
      ledger.commit(ended, task)
      durations.add(task.spec.type, durationMs)
      const worker = registry.get(workerId)
      if (worker != null) {
        reputation.accepted(worker.standing)
        registry.refit(worker)
      }
      return 'accepted'
    }
    const past = task.attempts[result.attempt - 1]
    if (past == null || past.workerId !== workerId || past.token !== result.token) return 'rejected'
    if (past.outcome === 'succeeded' || past.outcome === 'failed') return 'duplicate'
    ledger.commit({ type: 'late-result', at: now, taskId: task.id, attempt: result.attempt, workerId, success: result.success }, task)
    return 'late'
  }

  /** A task's timeout came due: its attempt ends, if it is still the one that was timed. */
  timedOut (due: Extract<Due, { kind: 'timeout' }>, now: number): void {
    const current = due.task.current
    if (current?.attempt !== due.attempt) return
    this.end(due.task, 'timed-out', now, { error: `timed out after ${due.task.spec.timeoutMs} ms`, durationMs: now - current.assignedAt })
  }

  /**
   * An unproven worker's probation came due: its attempt is taken back if it has held it past what the
   * type's history (now) allows. Returns the worker when that quarantines it.
   */
  probationDue (due: Extract<Due, { kind: 'probation' }>, now: number): WorkerState | undefined {
    const current = due.task.current
    const worker = current?.attempt === due.attempt ? this.init.registry.get(current.workerId) : undefined
    if (worker == null || worker.standing.proven) return undefined
    const probation = this.probationOf(due.task)
    if (probation == null) return undefined
    const end = current!.assignedAt + probation.ms
    if (now < end) {
      this.init.ledger.due.add(probation.learned ? end : Math.min(end, now + PROBATION_FLOOR_MS), due)
      return undefined
    }
    return this.lose(due.task, now, `taken back: the worker, with no accepted result yet, held it ${now - current!.assignedAt} ms, ${probation.why}`, true)
  }

  /** Ends the current attempt without success and decides whether the task runs again. */
  end (task: TaskRecord, outcome: 'failed' | 'timed-out' | 'lost', now: number, details: { error: string, durationMs?: number, unrecoverable?: boolean, blame?: 'worker' }): void {
    const { maxLostAttempts, random, ledger } = this.init
    const current = task.current!
    let retryAt: number | undefined
    if (outcome === 'lost') {
      const losses = details.blame === 'worker' || task.lostOn?.has(current.workerId) === true ? task.losses : task.losses + 1
      if (losses <= maxLostAttempts) retryAt = now
    } else {
      const failures = task.failures + 1
      if (details.unrecoverable !== true && failures < task.spec.retry.maxAttempts) {
        retryAt = now + backoffDelay(task.spec.retry, failures + 1, random)
      }
    }
    const event: SchedulerEvent = { type: 'attempt-ended', at: now, taskId: task.id, attempt: current.attempt, workerId: current.workerId, outcome, error: details.error }
    if (details.durationMs != null) event.durationMs = details.durationMs
    if (retryAt != null) event.retryAt = retryAt
    if (details.blame != null) event.blame = details.blame
    ledger.commit(event, task)
  }

  /**
   * The attempt's worker lost it. A worker that had delivered nothing yet takes the blame (the task's count
   * of losses is spared). With `blameWorker`, the loss also counts against the worker: the worker is
   * returned when that quarantines it.
   */
  lose (task: TaskRecord, now: number, why: string, blameWorker: boolean): WorkerState | undefined {
    const { registry, maxLostAttempts } = this.init
    const worker = registry.get(task.current!.workerId)
    const excused = worker != null && !worker.standing.proven
    const counted = excused || task.lostOn?.has(task.current!.workerId) === true ? task.losses : task.losses + 1
    const error = counted > maxLostAttempts
      ? `${why}; lost on ${counted} different workers, more than maxLostAttempts (${maxLostAttempts})`
      : why
    this.end(task, 'lost', now, { error, ...(excused ? { blame: 'worker' as const } : {}) })
    return worker != null && blameWorker && this.blame(worker, now) ? worker : undefined
  }

  /**
   * A loss the worker is to blame for: it halves the window the worker earned, and a few within the loss
   * memory quarantine it. True when this quarantines it (the caller takes it off).
   */
  blame (worker: WorkerState, now: number): boolean {
    const { reputation, registry, ledger } = this.init
    if (reputation.quarantinedUntil(worker.id, now) != null) return false
    const quarantined = reputation.lost(worker.standing, now)
    registry.refit(worker)
    if (!quarantined) return false
    ledger.commit({ type: 'worker-quarantined', at: now, worker, until: worker.standing.quarantinedUntil, reason: `it lost ${QUARANTINE_AFTER_LOSSES} attempts within ${LOSS_MEMORY_MS / 60_000} minutes (${worker.standing.losses} in all)` })
    return true
  }

  /**
   * How long an unproven worker may hold an attempt of this task: some times what the type took on the
   * workers that finished it; for a type nobody has finished yet, a first bound that doubles with each
   * attempt of the task taken back, so a long task still finds time on a new network. None when the task's
   * own timeout is the tighter bound (it ends the attempt anyway).
   */
  private probationOf (task: TaskRecord): { ms: number, learned: boolean, why: string } | undefined {
    const learned = this.init.durations.probationMs(task.spec.type)
    if (learned != null) return { ms: learned, learned: true, why: `${PROBATION_FACTOR} times what this type usually takes` }
    const lost = task.attempts.reduce((n, a) => a.outcome === 'lost' ? n + 1 : n, 0)
    const ms = PROBATION_UNKNOWN_TYPE_MS * 2 ** Math.min(lost, PROBATION_MAX_DOUBLINGS)
    if (task.spec.timeoutMs != null && task.spec.timeoutMs <= ms) return undefined
    return { ms, learned: false, why: 'longer than an unproven worker may hold a type nobody has finished yet' }
  }
}
