/** The task protocol: one long-lived stream per worker, opened by the worker. */
export const TASK_PROTOCOL = '/taskmesh/tasks/1.0.0'
/** Runtime submission and queries by clients (CLI, MCP server). */
export const CLIENT_PROTOCOL = '/taskmesh/client/1.0.0'

/** Networks keep their status traffic apart; the name is part of the gossipsub topic. */
export const DEFAULT_NETWORK = 'default'

export function statusTopic (network: string): string {
  return `taskmesh/${network}/status`
}

/** Largest frame on the task stream; bounds a task's payload and its dependencies' forwarded results. */
export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024
/** Bytes a writer may hold for a peer that does not read before the stream is aborted. */
export const DEFAULT_MAX_BUFFERED_BYTES = 32 * 1024 * 1024
/** Largest status broadcast. */
export const DEFAULT_MAX_STATUS_BYTES = 16 * 1024
/** How often a worker renews its leases. */
export const DEFAULT_HEARTBEAT_MS = 3_000
/** A worker that sends nothing for this long loses its leases. */
export const DEFAULT_LEASE_TTL_MS = 15_000
/** Status changes are broadcast at most this often (each broadcast is signed and verified). */
export const DEFAULT_STATUS_INTERVAL_MS = 1_000
/** A status broadcast goes out at least this often, changed or not. */
export const DEFAULT_STATUS_HEARTBEAT_MS = 5_000
/** Time a new task stream has to send Register. */
export const DEFAULT_REGISTER_TIMEOUT_MS = 10_000

export const DEFAULT_ADMIN_LISTEN = '/ip4/0.0.0.0/tcp/4001'
