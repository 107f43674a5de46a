/** Events of the worker service and of `WorkerAgent`. */
export interface WorkerEvents {
  /**
   * Registered with the admin; `resent` results finished while away were sent again; `via`: how its
   * connection reaches the admin (through a circuit relay, or not).
   */
  'admin:connected': CustomEvent<{ network: string, resent: number, via: 'direct' | 'relayed' }>
  'admin:disconnected': CustomEvent<{ reason: string }>
  /** Every task the admin holds is final (more may still be submitted), with the totals. */
  'admin:done': CustomEvent<{ total: number, succeeded: number, failed: number, skipped: number, cancelled: number }>
  /** The admin could not be reached or went away; the next try comes after `delayMs`. */
  'reconnecting': CustomEvent<{ attempt: number, delayMs: number, reason: string }>
  'task:started': CustomEvent<{ taskId: string, attempt: number, type: string }>
  'task:finished': CustomEvent<{ taskId: string, attempt: number, success: boolean, durationMs: number, error?: string }>
  'task:cancelled': CustomEvent<{ taskId: string, attempt: number, reason: string }>
  /** Nothing runs or waits, and the admin has acknowledged every result. */
  'idle': CustomEvent<void>
  /** Something this worker cannot recover from by retrying, such as being refused by the admin. */
  'error': CustomEvent<Error>
}

/** Every worker event, once: checked against `WorkerEvents` by the compiler, so none is left unrouted. */
const WORKER_EVENTS: Record<keyof WorkerEvents, true> = {
  'admin:connected': true,
  'admin:disconnected': true,
  'admin:done': true,
  reconnecting: true,
  'task:started': true,
  'task:finished': true,
  'task:cancelled': true,
  idle: true,
  error: true
}

export const WORKER_EVENT_NAMES = Object.keys(WORKER_EVENTS) as ReadonlyArray<keyof WorkerEvents>
