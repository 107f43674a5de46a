import type { NoWorkerPolicy } from '../core/scheduler.js'
import type { Strategy } from '../core/strategies/index.js'
import type { TaskSpec } from '../core/task.js'
import type { Journal } from '../store/journal.js'
import type { ComponentLogger, PeerId } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'

export interface AdminInit {
  /** An identifier for this admin, shown in its summary, on the dashboard and in metrics (the config's `task_manager.id`). */
  id?: string
  /** A name for this admin, shown like `id` (the config's `task_manager.name`). */
  name?: string
  /** Tasks to start with; more can be submitted while the admin runs. */
  tasks?: TaskSpec[]
  /** Assign nothing until this many workers have registered. @default 0 */
  expectedWorkers?: number
  /** @default 'skill-fit' */
  strategy?: string | Strategy
  strategies?: Record<string, Strategy>
  /** @default 'wait' */
  onNoWorker?: NoWorkerPolicy
  noWorkerGraceMs?: number
  /** Name of the network; status broadcasts go to `taskmesh/<network>/status`. @default 'default' */
  network?: string
  /** Where state changes are recorded. @default an in-memory journal */
  journal?: Journal
  /**
   * Assignment happens as soon as anything changes; besides that the admin runs a scheduling pass and
   * broadcasts its progress this often. @default 5000
   */
  schedulingIntervalMs?: number
  /** @default 15000 */
  leaseTtlMs?: number
  /** How often workers are asked to renew their leases. @default 3000 */
  heartbeatMs?: number
  /** @default 4 MiB */
  maxFrameBytes?: number
  maxBufferedBytes?: number
  registerTimeoutMs?: number
  maxLostAttempts?: number
  /** Invalid frames a peer may send (across reconnections) before it is disconnected and banned. @default 20 */
  maxInvalidFrames?: number
  /** How long a banned peer's connections are refused. @default 60000 */
  banMs?: number
  /** Largest payload of one task, as JSON. @default 1 MiB */
  maxPayloadBytes?: number
  /** Registered workers at most. @default 4096 */
  maxWorkers?: number
  maxTasks?: number
  /** Returns true when a peer may register as a worker, or the reason it may not. */
  authorizeWorker?: (peerId: string) => true | string
  /** Returns true when a peer may use the client protocol (submit, cancel, query), or the reason it may not. */
  authorizeClient?: (peerId: string) => true | string
  /** Largest client request (a submission of many tasks). @default 32 MiB */
  maxClientFrameBytes?: number
  random?: () => number
  clock?: () => number
}

export interface AdminComponents {
  registrar: Registrar
  logger: ComponentLogger
  peerId: PeerId
}

export const DEFAULT_SCHEDULING_INTERVAL_MS = 5_000
export const DEFAULT_MAX_INVALID_FRAMES = 20
export const DEFAULT_BAN_MS = 60_000
export const DEFAULT_MAX_TASKS = 1_000_000
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024
export const DEFAULT_MAX_WORKERS = 4096
