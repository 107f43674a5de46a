import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { ALERT_NAMES } from './alerts.js'
import type { AlertMonitor } from './alert-monitor.js'
import type { AdminEvents } from '../admin/events.js'
import type { AdminHandle } from '../admin/handle.js'

const SECONDS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800, 3600]

/**
 * The admin's Prometheus metrics (prom-client), next to libp2p's own in the same registry. Counters and
 * histograms follow the admin's events; gauges read the admin when scraped, so they are never stale.
 */
export class AdminMetrics {
  private readonly admin: AdminHandle
  private readonly removers: Array<() => void> = []

  constructor (admin: AdminHandle, registry: Registry, alerts?: AlertMonitor) {
    this.admin = admin
    const registers = [registry]
    const view = admin.view

    new Gauge({
      name: 'taskmesh_admin_info',
      help: 'Always 1; the labels say which admin this is',
      labelNames: ['peer_id', 'network', 'strategy', 'id', 'name'],
      registers,
      collect () {
        this.reset()
        this.set({ peer_id: admin.peerId, network: admin.network, strategy: view.strategy, id: admin.labels.id ?? '', name: admin.labels.name ?? '' }, 1)
      }
    })
    new Gauge({
      name: 'taskmesh_tasks',
      help: 'Tasks by state',
      labelNames: ['state'],
      registers,
      collect () {
        for (const [state, n] of Object.entries(view.summary().counts)) this.set({ state }, n)
      }
    })
    new Gauge({
      name: 'taskmesh_queue_depth',
      help: 'Tasks ready or backing off, waiting for a worker',
      registers,
      collect () {
        const c = view.summary().counts
        this.set(c.ready + c.delayed)
      }
    })
    new Gauge({
      name: 'taskmesh_workers_online',
      help: 'Registered workers that are online',
      registers,
      collect () { this.set(view.summary().workers) }
    })
    new Gauge({
      name: 'taskmesh_worker_load_ratio',
      help: 'Running attempts over capacity, per worker',
      labelNames: ['worker'],
      registers,
      collect () {
        this.reset()
        for (const w of view.workers()) this.set({ worker: w.name }, w.running / w.capacity)
      }
    })
    new Gauge({
      name: 'taskmesh_worker_cpu_ratio',
      help: 'Share of a CPU core a worker uses, from its status broadcasts',
      labelNames: ['worker'],
      registers,
      collect () {
        this.reset()
        for (const w of view.workers()) if (w.cpu != null) this.set({ worker: w.name }, w.cpu)
      }
    })
    new Gauge({
      name: 'taskmesh_worker_memory_bytes',
      help: 'Resident memory of a worker process, from its status broadcasts',
      labelNames: ['worker'],
      registers,
      collect () {
        this.reset()
        for (const w of view.workers()) if (w.memoryBytes != null) this.set({ worker: w.name }, w.memoryBytes)
      }
    })
    new Gauge({
      name: 'taskmesh_alerts_firing',
      help: 'Alerts firing, by threshold (always 0 without alert thresholds)',
      labelNames: ['alert'],
      registers,
      collect () {
        this.reset()
        const byName = new Map<string, number>()
        for (const a of alerts?.firing() ?? []) byName.set(a.name, (byName.get(a.name) ?? 0) + 1)
        for (const name of ALERT_NAMES) this.set({ alert: name }, byName.get(name) ?? 0)
      }
    })

    const queued = new Histogram({ name: 'taskmesh_assignment_latency_seconds', help: 'How long a ready task waited for a worker', labelNames: ['type'], buckets: SECONDS, registers })
    const duration = new Histogram({ name: 'taskmesh_task_duration_seconds', help: 'Duration of attempts on their worker', labelNames: ['type', 'worker'], buckets: SECONDS, registers })
    const attempts = new Counter({ name: 'taskmesh_attempts_total', help: 'Ended attempts by outcome', labelNames: ['type', 'worker', 'outcome'], registers })
    const success = new Gauge({ name: 'taskmesh_success_ratio', help: 'Share of ended attempts that succeeded (lost ones aside), per worker and type', labelNames: ['worker', 'type'], registers })
    const retries = new Counter({ name: 'taskmesh_retries_total', help: 'Attempts that failed or timed out and were scheduled to run again', labelNames: ['type'], registers })
    const leaseExpiries = new Counter({ name: 'taskmesh_lease_expiries_total', help: 'Workers whose leases expired (no heartbeat in time)', registers })
    const journal = new Histogram({ name: 'taskmesh_journal_write_seconds', help: 'Time to write one batch of state changes to the journal', buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1], registers })
    const rejected = new Counter({ name: 'taskmesh_frames_rejected_total', help: 'Frames and messages refused from peers', registers })
    const tally = new Map<string, { ok: number, all: number }>()

    this.on('task:assigned', d => { queued.observe({ type: d.type }, d.queuedMs / 1000) })
    this.on('task:attempt-ended', d => {
      attempts.inc({ type: d.type, worker: d.worker, outcome: d.outcome })
      if (d.outcome === 'succeeded' && d.durationMs != null) duration.observe({ type: d.type, worker: d.worker }, d.durationMs / 1000)
      if (d.retryAt != null && d.outcome !== 'lost') retries.inc({ type: d.type })
      if (d.outcome === 'lost') return
      const key = `${d.worker}\u0000${d.type}`
      const t = tally.get(key) ?? { ok: 0, all: 0 }
      t.all++
      if (d.outcome === 'succeeded') t.ok++
      tally.set(key, t)
      success.set({ worker: d.worker, type: d.type }, t.ok / t.all)
    })
    this.on('worker:disconnected', d => { if (d.reason === 'lease-expired') leaseExpiries.inc() })
    this.on('journal:written', d => { journal.observe(d.ms / 1000) })
    this.on('frame:rejected', () => { rejected.inc() })
  }

  /** Stops following the admin's events (the registry keeps the metrics). */
  stop (): void {
    for (const remove of this.removers) remove()
  }

  private on<K extends keyof AdminEvents> (name: K, fn: (detail: AdminEvents[K]['detail']) => void): void {
    const handler = (evt: CustomEvent): void => { fn(evt.detail) }
    this.admin.addEventListener(name, handler as never)
    this.removers.push(() => { this.admin.removeEventListener(name, handler as never) })
  }
}
