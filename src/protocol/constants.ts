/**
 * The wire: protocol ids, topics, and the limits every peer applies to what it reads. Defaults of the
 * admin and the worker are in their own `constants.ts`.
 */

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
/** Largest client request or response (a submission of many tasks); also the HTTP API's body limit. */
export const DEFAULT_MAX_CLIENT_FRAME_BYTES = 32 * 1024 * 1024
/** Bytes a writer may hold for a peer that does not read before the stream is aborted. */
export const DEFAULT_MAX_BUFFERED_BYTES = 32 * 1024 * 1024
/** Largest status broadcast. */
export const DEFAULT_MAX_STATUS_BYTES = 16 * 1024

/**
 * Deepest nesting of any JSON value a peer sends through any door (a payload, an output, a result over HTTP
 * or MCP). Parsing JSON does not recurse, but writing it does: a value nested 100,000 levels deep would stop
 * whoever writes it next (the journal, a dependent task's inputs), so it is refused where it comes in.
 */
export const MAX_JSON_DEPTH = 64
/** Largest task output, as JSON, whatever the door: what fits a result frame on the task stream. */
export const MAX_OUTPUT_BYTES = DEFAULT_MAX_FRAME_BYTES - 1024

/** Bounds on frame fields, beyond the frame size limit itself. */
export const FIELD_LIMITS = {
  name: 128,
  capability: 128,
  capabilities: 64,
  types: 256,
  skill: 1_000_000,
  priority: 1000,
  taskId: 512,
  token: 256,
  error: 16 * 1024,
  /** Why a task was cancelled, as a client says it. */
  reason: 1024,
  maxConcurrent: 1024,
  version: 16,
  /** Cores' worth of CPU a worker may report using. */
  cpu: 4096
} as const

/**
 * Versions of the task protocol a worker may register with: "1" takes any task type, "2" lists its types.
 * What a peer can do beyond its version (read Batch frames, answer probes) it says in a field of its own,
 * which older peers skip.
 */
export const WORKER_PROTOCOL_VERSIONS = ['1', '2'] as const
export const CURRENT_WORKER_PROTOCOL_VERSION = '2'

/**
 * Longest Batch frame a sender writes, whatever either side's frame limit: a side asks for batches only if
 * its own frame limit is at least this. A body estimated at more than a quarter of it travels alone.
 */
export const MAX_BATCH_BYTES = 64 * 1024
/** Most bodies in one Batch frame: the decoding limit of its lists in tasks.proto. */
export const MAX_BATCH_ITEMS = 1024

/** Where an admin listens when told nothing: every interface, the port workers are told to dial. */
export const DEFAULT_ADMIN_LISTEN = '/ip4/0.0.0.0/tcp/4001'
/** Where `taskmesh relay` listens unless told. */
export const DEFAULT_RELAY_LISTEN = '/ip4/0.0.0.0/tcp/4003'
