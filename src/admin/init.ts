import type { NoWorkerPolicy } from '../core/no-worker.js'
import type { Strategy } from '../core/strategies/index.js'
import type { TaskSpec } from '../core/task.js'
import type { Journal } from '../store/journal.js'
import type { NetworkEvents } from './events.js'
import type { ComponentLogger, PeerId, TypedEventTarget } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'

export interface AdminInit {
  /** An identifier for this admin, shown in its summary, on the dashboard and in metrics (the config's `task_manager.id`). */
  id?: string
  /** A name for this admin, shown like `id` (the config's `task_manager.name`). */
  name?: string
  /** Tasks to start with, already normalized (`toTaskSpecs`); more can be submitted while the admin runs. */
  tasks?: TaskSpec[]
  /** Assign nothing until this many workers have registered. @default 0 */
  expectedWorkers?: number
  /** @default 'skill-fit' */
  strategy?: string | Strategy
  /** More strategies, by the name tasks use for them. */
  strategies?: Record<string, Strategy>
  /** What happens to a task no registered worker can run. @default 'wait' */
  onNoWorker?: NoWorkerPolicy
  /** How long such a task waits before it fails under `onNoWorker: 'fail'`. @default 30000 */
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
  /** A worker silent for this long loses its leases. @default 15000 */
  leaseTtlMs?: number
  /** How often workers are asked to renew their leases. @default 3000, at most a third of the lease TTL */
  heartbeatMs?: number
  /** Largest frame on a task stream. @default 4 MiB */
  maxFrameBytes?: number
  /** Bytes waiting for a worker that does not read, before its stream is aborted. @default 32 MiB */
  maxBufferedBytes?: number
  /** Time a new task stream has to register. @default 10000 */
  registerTimeoutMs?: number
  /** Times a task may lose its worker before it fails. @default 10 */
  maxLostAttempts?: number
  /** Invalid frames a peer may send (across reconnections) before it is disconnected and banned. @default 20 */
  maxInvalidFrames?: number
  /** How long a banned peer's connections are refused. @default 60000 */
  banMs?: number
  /** Largest payload of one task, as JSON. @default 1 MiB */
  maxPayloadBytes?: number
  /** Registered workers at most. @default 4096 */
  maxWorkers?: number
  /** Tasks held at most. @default 1000000 */
  maxTasks?: number
  /** Returns true when a peer may register as a worker, or the reason it may not. @default everyone may */
  authorizeWorker?: (peerId: string) => true | string
  /** Returns true when a peer may use the client protocol (submit, cancel, query), or the reason it may not. @default everyone may */
  authorizeClient?: (peerId: string) => true | string
  /** Largest client request (a submission of many tasks). @default 32 MiB */
  maxClientFrameBytes?: number
  /**
   * What a client's `watch` follows: the admin's events and, when something raises them beside it (the
   * alert monitor), those too. @default this service's own events
   */
  watchEvents?: TypedEventTarget<NetworkEvents>
  /** Uniform in [0, 1), for jitter and the learned strategy. @default Math.random */
  random?: () => number
  /** Wall-clock time in ms. @default Date.now */
  clock?: () => number
}

export interface AdminComponents {
  registrar: Registrar
  logger: ComponentLogger
  peerId: PeerId
}
