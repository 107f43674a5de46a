import { InvalidStateError } from '../errors.js'
import { workerSnapshot, type WorkerInfo } from '../core/registry.js'
import { FINAL_STATES, TASK_STATES, type FinalState, type TaskState } from '../core/task.js'
import { DEFAULT_PAGE, MAX_CLAIM, MAX_PAGE, MAX_SEARCH_LENGTH, MAX_SEARCH_SCAN, MAX_SEARCH_TEXT } from './constants.js'
import { FIELD_LIMITS } from '../protocol/constants.js'
import { PULL_PREFIX, type Claim } from './pull-workers.js'
import { checkedOutput, claimRef, count, countOf, flag, id, invalid, label, labels, pauseTarget, text, workerName } from './api-params.js'
import type { Caller } from './admission.js'
import type { WorkerSteering } from '../core/reputation.js'
import { scopeText, type Pause } from '../core/pauses.js'
import type { ScheduleView } from '../core/schedules.js'
import type { SubmitResult, Summary } from '../core/options.js'
import type { HistoryEntry, TaskSnapshot } from '../core/snapshots.js'
import type { AdminHandle, JournalPause, PurgeRequest } from './handle.js'
import type { SchedulerView } from '../core/view.js'
import { MAX_PURGE_PER_PASS } from '../core/constants.js'
import { taskRow, taskView, withOutputs, type TaskRow, type TaskView } from './task-views.js'

export type { TaskRow, TaskView } from './task-views.js'

export interface SummaryView extends Summary {
  /** The admin's configured id and name, when it has them. */
  id?: string
  name?: string
  peerId: string
  network: string
  strategy: string
  /** Ready tasks no connected worker can run, by reason ("no connected worker handles type "download""). */
  blocked: Array<{ reason: string, tasks: number }>
  /** What an operator paused (every task, or a type): nothing of it starts until resumed. */
  paused: Pause[]
  /** How long and how many finished tasks are kept (`--retain-finished`, `--retain-finished-count`), and how many were dropped since the admin started; absent when they are kept for ever and none was purged. */
  retention?: { finishedMs?: number, finishedCount?: number, dropped: number }
  /** With replicas on one PostgreSQL journal: the replica leading (the one answering) and its epoch. */
  leader?: { replica: string, epoch: number }
  /** The journal's database does not answer: assignments and results wait (see `journal:paused`). */
  journalPaused?: JournalPause
}

export const API_METHODS = ['submit', 'cancel', 'retry', 'task', 'history', 'tasks', 'workers', 'summary', 'updateWorker', 'disconnectWorker', 'claim', 'claimHeartbeat', 'claimResult', 'pause', 'resume', 'purge', 'schedules', 'addSchedules', 'pauseSchedule', 'resumeSchedule', 'removeSchedule'] as const
export type ApiMethod = typeof API_METHODS[number]

/**
 * What callers outside the admin may do, whichever way they come (client protocol, HTTP, MCP): plain
 * JSON in, plain JSON out, every parameter checked with an error that names it, within the limits every
 * door applies. A change is answered once the journal has it (see `AdminHandle.recorded`).
 */
export class AdminApi {
  private readonly admin: AdminHandle

  constructor (admin: AdminHandle) {
    this.admin = admin
  }

  /**
   * Dispatches a method by name (the client protocol comes through here) for `caller`. Queries answer at
   * once; changes answer once the journal has them.
   */
  call (method: string, params: unknown, caller: Caller): unknown {
    const p = params ?? {}
    if (typeof p !== 'object' || Array.isArray(p)) throw invalid('params', 'must be an object')
    if (!Object.hasOwn(this.methods, method)) throw invalid('method', `unknown method "${method}"; methods are ${API_METHODS.join(', ')}`)
    return this.methods[method as ApiMethod](p as Record<string, unknown>, caller)
  }

  /** Each method by name: the compiler checks that every name of `API_METHODS` has one. */
  private readonly methods: Record<ApiMethod, (params: Record<string, unknown>, caller: Caller) => unknown> = {
    submit: p => this.submit(p),
    cancel: p => this.cancel(p),
    retry: p => this.retry(p),
    task: p => this.task(p),
    history: p => this.history(p),
    tasks: p => this.tasks(p),
    workers: () => this.workers(),
    summary: () => this.summary(),
    updateWorker: p => this.updateWorker(p),
    disconnectWorker: p => this.disconnectWorker(p),
    claim: (p, caller) => this.claim(p, caller),
    claimHeartbeat: (p, caller) => this.claimHeartbeat(p, caller),
    claimResult: (p, caller) => this.claimResult(p, caller),
    pause: p => this.pause(p),
    resume: p => this.resume(p),
    purge: p => this.purge(p),
    schedules: () => this.listSchedules(),
    addSchedules: p => this.addSchedules(p),
    pauseSchedule: p => this.pauseSchedule(p, true),
    resumeSchedule: p => this.pauseSchedule(p, false),
    removeSchedule: p => this.removeSchedule(p)
  }

  /** The recurring tasks, each with where it stands and its next firing. */
  listSchedules (): ScheduleView[] {
    return this.admin.schedules.list()
  }

  /** Adds recurring tasks, or replaces those of their names: one, or a list, as a task file's `schedules` writes them. */
  async addSchedules (params: { schedules?: unknown }): Promise<{ schedules: ScheduleView[] }> {
    if (params.schedules == null) throw invalid('schedules', 'missing: give a schedule such as {"name": "tick", "every": 60, "task": {"type": "report"}}, or a list')
    const put = this.admin.schedules.put(params.schedules)
    await this.admin.recorded()
    return { schedules: put.map(s => this.admin.schedules.get(s.name)) }
  }

  async pauseSchedule (params: { name?: unknown }, paused: boolean): Promise<ScheduleView> {
    const view = this.admin.schedules.setPaused(label(params.name, 'name'), paused)
    await this.admin.recorded()
    return view
  }

  async removeSchedule (params: { name?: unknown }): Promise<{ removed: string }> {
    const name = label(params.name, 'name')
    // none of that name: `get` throws the error that says which there are
    if (!this.admin.schedules.remove(name)) this.admin.schedules.get(name)
    await this.admin.recorded()
    return { removed: name }
  }

  /** Adds tasks in any task-file format; ids already known are left alone. */
  async submit (params: { tasks?: unknown }): Promise<SubmitResult> {
    if (params.tasks == null) throw invalid('tasks', 'missing: give one task or a list of tasks')
    const result = this.admin.submit(params.tasks)
    await this.admin.recorded()
    return result
  }

  /** Stops a task that is not final yet; an InvalidStateError (HTTP 409, as for retry) when it is. */
  async cancel (params: { id?: unknown, reason?: unknown }): Promise<{ cancelled: true }> {
    const reason = params.reason != null ? text(params.reason, 'reason', FIELD_LIMITS.reason) : undefined
    const taskId = id(params.id)
    if (!this.admin.cancel(taskId, reason)) throw new InvalidStateError(`task "${taskId}" is ${this.admin.view.getTask(taskId).state} already: only tasks that are not final can be cancelled`)
    await this.admin.recorded()
    return { cancelled: true }
  }

  async retry (params: { id?: unknown }): Promise<{ retried: true }> {
    this.admin.retry(id(params.id))
    await this.admin.recorded()
    return { retried: true }
  }

  /** Starts nothing new of `type`, or of `group` (of any task with neither) until resumed; running tasks go on. */
  async pause (params: { type?: unknown, group?: unknown, reason?: unknown }): Promise<{ paused: Pause[] }> {
    const { type, group } = pauseTarget(params)
    const reason = params.reason != null ? text(params.reason, 'reason', FIELD_LIMITS.reason) : undefined
    this.admin.pause(type, reason, group)
    await this.admin.recorded()
    return { paused: this.admin.view.pauses() }
  }

  /** Undoes a pause: of `type`, or the one of every type. A 409 when that was not paused. */
  async resume (params: { type?: unknown, group?: unknown }): Promise<{ paused: Pause[] }> {
    const { type, group } = pauseTarget(params)
    if (!this.admin.resume(type, group)) {
      const paused = this.admin.view.pauses().map(p => p.scope === 'all' ? 'everything (resume without a type or group)' : scopeText(p.scope))
      throw new InvalidStateError(`${group != null ? `group "${group}"` : type != null ? `type "${type}"` : 'everything'} is not paused${paused.length > 0 ? `; paused: ${paused.join(', ')}` : ': nothing is'}`)
    }
    await this.admin.recorded()
    return { paused: this.admin.view.pauses() }
  }

  /**
   * Drops finished tasks, from memory and the journal: those in `state` (any final one without), finished
   * over `olderThan` seconds ago, beyond the newest `keep`; one of the last two is required (`olderThan: 0`
   * drops every finished task). Answered once the journal has dropped them all, pass after pass.
   */
  async purge (params: { state?: unknown, olderThan?: unknown, keep?: unknown }): Promise<{ purged: number }> {
    if (params.state != null && !FINAL_STATES.has(params.state as TaskState)) throw invalid('state', `must be a final state: ${[...FINAL_STATES].join(', ')}`)
    // a number, or one as a query string writes it: not "", [] or false, which Number() reads as 0
    const olderThan = params.olderThan == null ? undefined : typeof params.olderThan === 'number' || (typeof params.olderThan === 'string' && /^\d+(\.\d+)?$/.test(params.olderThan)) ? Number(params.olderThan) : NaN
    if (olderThan != null && !(olderThan >= 0 && Number.isFinite(olderThan))) throw invalid('olderThan', 'must be a number of seconds, 0 or more')
    const keep = params.keep == null ? undefined : count(params.keep, 'keep', 0)
    if (olderThan == null && keep == null) throw invalid('olderThan', 'missing: give olderThan (seconds since a task finished; 0 for every finished task) or keep (how many of the newest to keep)')
    const filter: PurgeRequest = { ...(params.state != null ? { state: params.state as FinalState } : {}), ...(olderThan != null ? { olderThanMs: olderThan * 1000 } : {}), ...(keep != null ? { keep } : {}) }
    let purged = 0
    for (;;) {
      const n = this.admin.purge(filter)
      purged += n
      await this.admin.recorded()
      if (n < MAX_PURGE_PER_PASS) return { purged }
    }
  }

  task (params: { id?: unknown }): TaskView {
    const taskId = id(params.id)
    const view = this.admin.view
    return taskView(view.getTask(taskId), view.history(taskId), view.waitingFor(taskId))
  }

  history (params: { id?: unknown }): HistoryEntry[] {
    return this.admin.view.history(id(params.id))
  }

  /** Tasks in submission order, optionally in one state, a page at a time. */
  tasks (params: { state?: unknown, offset?: unknown, limit?: unknown, output?: unknown, search?: unknown }): { total: number, offset: number, tasks: TaskRow[], partial?: true } {
    let state: TaskState | 'final' | undefined
    if (params.state != null) {
      if (params.state !== 'final' && !TASK_STATES.includes(params.state as TaskState)) throw invalid('state', `must be one of ${TASK_STATES.join(', ')}, or final`)
      state = params.state as TaskState | 'final'
    }
    const offset = count(params.offset, 'offset', 0)
    const limit = count(params.limit, 'limit', DEFAULT_PAGE)
    if (limit > MAX_PAGE) throw invalid('limit', `must be at most ${MAX_PAGE}; page with offset`)
    // true or false, or as a query string writes them
    if (params.output != null && ![true, false, 'true', 'false'].includes(params.output as boolean)) throw invalid('output', 'must be true or false')
    const withOutput = params.output === true || params.output === 'true'
    // the tasks whose id, description or worker holds these words, in any case
    if (params.search != null && (typeof params.search !== 'string' || params.search.length > MAX_SEARCH_LENGTH)) throw invalid('search', `must be text of at most ${MAX_SEARCH_LENGTH} characters`)
    const search = params.search == null || params.search === '' ? undefined : params.search.toLowerCase()
    const page: TaskSnapshot[] = []
    // without a search the counts say how many match, and the walk ends with the page (a dashboard asks often)
    const counted = search == null ? countOf(this.admin.view.summary().counts, state) : undefined
    let total = 0
    // a search reads every task's text: it reads at most so many, and says when it stopped early
    let scanned = 0
    let partial = false
    for (const task of this.admin.view.listTasks()) {
      if (search != null && ++scanned > MAX_SEARCH_SCAN) {
        partial = true
        break
      }
      if (state != null && (state === 'final' ? !FINAL_STATES.has(task.state) : task.state !== state)) continue
      if (search != null && !`${task.id}\n${task.spec.description.slice(0, MAX_SEARCH_TEXT)}\n${task.worker ?? ''}`.toLowerCase().includes(search)) continue
      if (total >= offset && page.length < limit) page.push(task)
      total++
      if (counted != null && page.length === limit) break
    }
    total = counted ?? total
    const rows = page.map(task => taskRow(task, task.state === 'ready' || task.state === 'delayed' ? this.admin.view.waitingFor(task.id) : undefined))
    return { total, offset, tasks: withOutput ? withOutputs(rows, page.map(task => task.output)) : rows, ...(partial ? { partial: true as const } : {}) }
  }

  /** Every worker; those that pull work over HTTP or MCP say `pulling: true`. */
  workers (): Array<WorkerInfo & { pulling?: true }> {
    return this.admin.view.workers().map(w => w.id.startsWith(PULL_PREFIX) ? { ...workerSnapshot(w), pulling: true as const } : workerSnapshot(w))
  }

  /**
   * An agent that does not run libp2p asks for up to `max` tasks (0: only renew its leases), waiting up to
   * `waitSeconds` when none is ready. It is a worker like any other for the scheduler, named after its door
   * and `agent` (`http:scribe`, `mcp:scribe`), admitted as every worker is. `signal` ends the wait (the
   * HTTP request closed).
   */
  async claim (params: Record<string, unknown>, caller: Caller, signal?: AbortSignal): Promise<{ agent: string, worker: string, claims: Claim[] }> {
    const agent = label(params.agent, 'agent')
    const max = count(params.max, 'max', 1)
    if (max > MAX_CLAIM) throw invalid('max', `must be at most ${MAX_CLAIM}`)
    const leaseSeconds = this.admin.view.leaseTtlMs / 1000
    const waitSeconds = params.waitSeconds == null ? 0 : Number(params.waitSeconds)
    if (!Number.isFinite(waitSeconds) || waitSeconds < 0 || waitSeconds > leaseSeconds / 2) throw invalid('waitSeconds', `must be from 0 to ${leaseSeconds / 2} (half the admin's lease of ${leaseSeconds} s, so a waiting claim keeps its leases)`)
    const skill = params.skill == null ? 0 : Number(params.skill)
    if (!Number.isFinite(skill) || skill < 0 || skill > FIELD_LIMITS.skill) throw invalid('skill', `must be a number from 0 to ${FIELD_LIMITS.skill}`)
    const { worker, claims } = await this.admin.claim(caller, {
      agent,
      max,
      waitMs: max === 0 ? 0 : waitSeconds * 1000,
      skill,
      ...(signal != null ? { signal } : {}),
      ...(params.types != null ? { types: labels(params.types, 'types', FIELD_LIMITS.types) } : {}),
      ...(params.capabilities != null ? { capabilities: labels(params.capabilities, 'capabilities', FIELD_LIMITS.capabilities) } : {})
    })
    return { agent, worker, claims }
  }

  claimHeartbeat (params: Record<string, unknown>, caller: Caller): { leaseTtlMs: number } {
    return this.admin.heartbeatClaim(caller, claimRef(params))
  }

  /**
   * Ends a claimed attempt: `status` completed (with `result`) or failed (with `error`, and `unrecoverable`
   * to fail the task for good). Accepted once: a second answer, or one after the lease ended, is a conflict.
   * The output is held to the task stream's limits: nesting, size; so is the error text.
   */
  async claimResult (params: Record<string, unknown>, caller: Caller): Promise<{ accepted: true }> {
    const ref = claimRef(params)
    const status = params.status
    if (status !== 'completed' && status !== 'failed') throw invalid('status', 'must be "completed" or "failed"')
    const output = params.result !== undefined ? params.result : params.output
    const outcome = await this.admin.finishClaim(caller, ref, status === 'completed'
      ? { success: true, ...(output !== undefined ? { output: checkedOutput(output, params.result !== undefined ? 'result' : 'output') } : {}) }
      : { success: false, error: params.error != null ? text(params.error, 'error', FIELD_LIMITS.error) : 'failed', unrecoverable: params.unrecoverable === true })
    if (outcome === 'accepted') return { accepted: true }
    throw new InvalidStateError(outcome === 'duplicate'
      ? 'this attempt\'s result was recorded already: it is accepted once'
      : outcome === 'late'
        ? 'the lease of this attempt had ended (it expired, or the task was cancelled): the result was not accepted, and the task runs elsewhere'
        : 'this claim is not one the agent holds')
  }

  /**
   * An operator steers a worker (by name or peer id): `draining` (finish what it runs, take nothing new),
   * `online: false` (the same, and counted as offline), `priority` (for the `priority` strategy),
   * `maxConcurrent` (at most what the worker asked for). Each lasts until the operator changes it, also
   * when the worker registers again.
   */
  async updateWorker (params: Record<string, unknown>): Promise<WorkerInfo> {
    const unknown = Object.keys(params).filter(k => !WORKER_UPDATE_FIELDS.includes(k))
    if (unknown.length > 0) throw invalid(unknown[0]!, `unknown field; a worker update takes ${WORKER_UPDATE_FIELDS.join(', ')}`)
    const worker = workerName(params.worker)
    const update: WorkerSteering = {}
    if (params.online != null) update.online = flag(params.online, 'online')
    if (params.draining != null) update.draining = flag(params.draining, 'draining')
    if (params.priority != null) {
      const priority = typeof params.priority === 'string' ? Number(params.priority) : params.priority
      if (typeof priority !== 'number' || !Number.isInteger(priority) || Math.abs(priority) > FIELD_LIMITS.priority) throw invalid('priority', `must be a whole number from -${FIELD_LIMITS.priority} to ${FIELD_LIMITS.priority} (higher is preferred by the priority strategy)`)
      update.priority = priority
    }
    if (params.maxConcurrent != null) {
      const max = count(params.maxConcurrent, 'maxConcurrent', 1)
      if (max < 1) throw invalid('maxConcurrent', 'must be at least 1; to give the worker nothing new, set draining')
      const asked = this.admin.view.worker(this.admin.view.resolveWorker(worker))!.asked
      if (max > asked) throw invalid('maxConcurrent', `worker "${worker}" asked for at most ${asked} at once when it registered; it can be given no more than that`)
      update.maxConcurrent = max
    }
    if (Object.keys(update).length === 0) throw invalid('worker', `nothing to change: give one of ${WORKER_UPDATE_FIELDS.slice(1).join(', ')}`)
    const info = this.admin.updateWorker(worker, update)
    await this.admin.recorded()
    return info
  }

  /** Closes a worker's connection (by name or peer id); what it ran goes back to the queue. */
  async disconnectWorker (params: { worker?: unknown }): Promise<{ disconnected: string }> {
    const worker = workerName(params.worker)
    const peerId = this.admin.view.resolveWorker(worker)
    await this.admin.disconnectWorker(peerId)
    await this.admin.recorded()
    return { disconnected: peerId }
  }

  summary (): SummaryView {
    const { id: adminId, name } = this.admin.labels
    return { ...(adminId != null ? { id: adminId } : {}), ...(name != null ? { name } : {}), ...this.admin.view.summary(), peerId: this.admin.peerId, network: this.admin.network, strategy: this.admin.view.strategy,  blocked: this.admin.view.blocked(), paused: this.admin.view.pauses(), ...retention(this.admin.view.retention()), ...(this.admin.leadership != null ? { leader: { ...this.admin.leadership } } : {}), ...(this.admin.journalPause != null ? { journalPaused: { ...this.admin.journalPause } } : {}) }
  }
}

/** What a worker update may name: the worker, and what an operator may steer (checked against `WorkerSteering`). */
const STEERING: Record<keyof WorkerSteering, true> = { online: true, draining: true, priority: true, maxConcurrent: true }
const WORKER_UPDATE_FIELDS = ['worker', ...Object.keys(STEERING)]

/** The summary's `retention`, when there is something to say. */
function retention ({ policy, dropped }: ReturnType<SchedulerView['retention']>): Pick<SummaryView, 'retention'> {
  return policy != null || dropped > 0 ? { retention: { ...policy, dropped } } : {}
}
