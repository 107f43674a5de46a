import type { DurableEvent } from './events.js'
import type { TaskLedger } from './ledger.js'
import type { WorkerRegistry } from './registry.js'
import type { Gate, WorkerLifecycle } from './worker-lifecycle.js'

/**
 * Rebuilds task state from journal events, in the order they were recorded, through the ledger's one
 * reducer. Attempts that were running are kept for their worker for one lease TTL from `now`: a worker that
 * comes back and still holds them keeps them; otherwise they expire and run again. Returns the next
 * submission number. The caller lets time catch up afterwards (elapsed delays, timeouts).
 */
export function replay (ledger: TaskLedger, registry: WorkerRegistry, workers: Pick<WorkerLifecycle, 'renewLease'>, gate: Gate, events: Iterable<DurableEvent>, now: number): number {
  let nextSeq = ledger.archive.lastSeq + 1
  // what the archive holds counts, and its results may be reused
  const archived = ledger.archiving.open()
  ledger.counts.succeeded += archived
  if (archived > 0) gate.open = true
  ledger.restoring = true
  try {
    for (const event of events) {
      if (event.type === 'submitted') nextSeq = Math.max(nextSeq, event.seq + 1)
      if (event.type === 'assigned') gate.open = true
      ledger.commit(event)
    }
  } finally {
    ledger.restoring = false
  }
  ledger.archiving.endReplay()
  ledger.cache.addArchived(ledger.archive)
  // workers met in the journal are placeholders until they register again: offline, holding their leases
  // for one TTL; those whose attempts all ended are forgotten
  for (const worker of [...registry.all()]) {
    if (worker.held.length === 0) {
      registry.unregister(worker.id)
      continue
    }
    registry.update(worker, { online: false })
    registry.recount(worker)
    workers.renewLease(worker, now)
  }
  for (const task of ledger.tasks.values()) {
    if (task.state === 'delayed' && task.retryAt != null) ledger.due.add(task.retryAt, { kind: 'retry', task, at: task.retryAt })
    if (task.current?.deadline != null) ledger.due.add(task.current.deadline, { kind: 'timeout', task, attempt: task.current.attempt })
  }
  return nextSeq
}
