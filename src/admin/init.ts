import type { ScheduleSpec } from '../core/schedules.js'
import { CLOSE_GRACE_MS, DEFAULT_HEARTBEAT_MS, DEFAULT_MAX_TASKS, DEFAULT_REGISTER_TIMEOUT_MS, DEFAULT_UNPROVEN_BUDGET, PRE_REGISTER_MAX_FRAME_BYTES } from './constants.js'
import { DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_MAX_FRAME_BYTES } from '../protocol/constants.js'
import { DEFAULT_INITIAL_WINDOW } from '../core/constants.js'
import { leaseTokens } from './lease-tokens.js'
import type { TaskArchive } from '../core/archive.js'
import type { SchedulerOptions } from '../core/options.js'
import type { TaskSpec } from '../core/task.js'
import type { Journal } from '../store/journal.js'
import type { OutboxSource } from './flush-cycle.js'
import type { AssignmentTracing } from './delivery.js'
import type { NetworkEvents } from './events.js'
import type { SessionOptions } from './worker-session.js'
import type { ComponentLogger, PeerId, TypedEventTarget } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

/** The scheduler's options (strategy, expected workers, leases, retries of lost attempts...) and the admin's own. */
export interface AdminInit extends Omit<SchedulerOptions, 'newToken' | 'maxTasks'> {
  /** Recurring tasks to start with (a task file's `schedules`): added, or replacing those of their names, at each start. */
  schedules?: ScheduleSpec[]
  /** An identifier for this admin, shown in its summary, on the dashboard and in metrics (the config's `task_manager.id`). */
  id?: string
  /** A name for this admin, shown like `id` (the config's `task_manager.name`). */
  name?: string
  /** Tasks to start with, already normalized (`toTaskSpecs`); more can be submitted while the admin runs. */
  tasks?: readonly TaskSpec[]
  /** Name of the network; status broadcasts go to `taskmesh/<network>/status`. @default 'default' */
  network?: string
  /** Where state changes are recorded. @default an in-memory journal */
  journal?: Journal
  /** Messages for other systems (webhooks) the admin's events cause, recorded with them. @default none */
  outbox?: OutboxSource
  /** Traces attempts, giving each assignment the trace context its worker continues. @default none */
  tracing?: AssignmentTracing
  /**
   * Assignment happens as soon as anything changes; besides that the admin runs a scheduling pass and
   * broadcasts its progress this often. @default 5000
   */
  schedulingIntervalMs?: number
  /** How often workers are asked to renew their leases. @default 5000, at most a third of the lease TTL */
  heartbeatMs?: number
  /** Largest frame on a task stream. @default 4 MiB */
  maxFrameBytes?: number
  /** Bytes waiting for a worker that does not read, before its stream is aborted. @default 32 MiB */
  maxBufferedBytes?: number
  /** Time a new task stream has to register. @default 5000 */
  registerTimeoutMs?: number
  /** Invalid frames a peer may send (across reconnections) before it is disconnected and banned. @default 20 */
  maxInvalidFrames?: number
  /** How long a banned peer's connections are refused. @default 60000 */
  banMs?: number
  /** Largest payload of one task, as JSON. @default 1 MiB */
  maxPayloadBytes?: number
  /** Registered workers at most. @default 4096 */
  maxWorkers?: number
  /** Tasks held at most (each holds memory). @default 1000000 */
  maxTasks?: number
  /**
   * Attempts all workers with no accepted result yet may hold together, whatever their number and names
   * (each new worker starts at a window of 2 within it). @default 64
   */
  unprovenBudget?: number
  /** Returns true when a peer may hold work (whatever its door), or the reason it may not. @default everyone may */
  authorizeWorker?: (peerId: string) => true | string
  /** Returns true when a peer may use the client protocol (submit, cancel, query), or the reason it may not. @default everyone may */
  authorizeClient?: (peerId: string) => true | string
  /**
   * How long a request from outside (HTTP, the client protocol, MCP) waits for the journal to record its
   * change; then it is answered that the change is not confirmed (JournalUnavailableError). @default 30000
   */
  ackTimeoutMs?: number
  /** Largest client request (a submission of many tasks). @default 32 MiB */
  maxClientFrameBytes?: number
  /**
   * What a client's `watch` follows: the admin's events and, when something raises them beside it (the
   * alert monitor), those too. @default this service's own events
   */
  watchEvents?: TypedEventTarget<NetworkEvents>
  /** Wall-clock time in ms. @default Date.now */
  clock?: () => number
}

export interface AdminComponents {
  registrar: Registrar
  /** Lets every peer go when this replica's lead is in doubt. */
  connectionManager: ConnectionManager
  logger: ComponentLogger
  peerId: PeerId
}

/** The scheduler of an admin: its options, with what a network needs that a scheduler on its own does not. */
export function schedulerOptions (init: AdminInit, archive: TaskArchive): SchedulerOptions {
  const { strategy, strategies, expectedWorkers, onNoWorker, noWorkerGraceMs, leaseTtlMs, maxLostAttempts, maxWorkerConcurrency, avoidBusyCpu, random, rateLimits, retention, groupConcurrency, groupWeights } = init
  return {
    strategy,
    rateLimits,
    retention,
    groupConcurrency,
    groupWeights,
    strategies,
    expectedWorkers,
    onNoWorker,
    noWorkerGraceMs,
    leaseTtlMs,
    maxLostAttempts,
    maxWorkerConcurrency,
    avoidBusyCpu,
    random,
    // workers earn their capacity: one that never answers holds only this much, and the ones that have
    // delivered nothing share one budget however many names they take
    initialWindow: init.initialWindow ?? Math.min(DEFAULT_INITIAL_WINDOW, maxWorkerConcurrency ?? DEFAULT_INITIAL_WINDOW),
    unprovenBudget: init.unprovenBudget ?? DEFAULT_UNPROVEN_BUDGET,
    maxTasks: init.maxTasks ?? DEFAULT_MAX_TASKS,
    // unguessable lease tokens: a result counts only with its attempt's
    newToken: leaseTokens(),
    archive
  }
}

/** The task stream's limits and timings for an admin built with these options. */
export function sessionOptions (init: AdminInit, leaseTtlMs: number): SessionOptions & { heartbeatMs: number } {
  const maxFrameBytes = init.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES
  return {
    heartbeatMs: init.heartbeatMs ?? Math.min(DEFAULT_HEARTBEAT_MS, Math.floor(leaseTtlMs / 3)),
    maxFrameBytes,
    preRegisterMaxFrameBytes: Math.min(PRE_REGISTER_MAX_FRAME_BYTES, maxFrameBytes),
    maxBufferedBytes: init.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
    registerTimeoutMs: init.registerTimeoutMs ?? DEFAULT_REGISTER_TIMEOUT_MS,
    closeGraceMs: CLOSE_GRACE_MS
  }
}
