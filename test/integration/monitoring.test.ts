import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Network, nextEvent } from '../helpers/net.js'
import { commandMissing, requirement } from '../helpers/system.js'

const prometheus = requirement('the promtool check of /metrics', commandMissing('promtool', ['--version'], 'install Debian\'s "prometheus" package (apt-get install prometheus)'))
import type { TaskManager } from '../../src/manager/task-manager.js'

/** Runs Prometheus' own linter over an exposition; resolves with its exit code and output. */
async function promtool (exposition: string): Promise<{ code: number | null, output: string }> {
  const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (c: Buffer) => { output += c.toString() })
  child.stderr.on('data', (c: Buffer) => { output += c.toString() })
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', err => { reject(new Error(`promtool is needed for this test (Debian package "prometheus"; .ci/run installs it): ${err.message}`)) })
    child.on('exit', code => { resolve(code) })
  })
  child.stdin.end(exposition)
  return { code: await exited, output }
}

/** Value of one sample, by its exact name and labels as exposed. */
function sample (exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find(l => l.startsWith(`${series} `))
  return line != null ? Number(line.slice(series.length + 1)) : undefined
}

describe('monitoring: metrics and alerts', () => {
  const net = new Network()
  let manager: TaskManager
  let base: string

  beforeAll(async () => {
    manager = await net.admin([], {
      listen: ['/ip4/127.0.0.1/tcp/0'],
      http: { port: 0 },
      // small thresholds and a short interval make a synthetic slow task alert at once
      monitoring: { intervalMs: 50, thresholds: { taskDuration: 0.2, dependencyWait: 0.2, failureRate: 0.9 } }
    })
    base = manager.details().http!
    await net.worker(manager, 'alpha', 5, { statusIntervalMs: 50, maxConcurrent: 4 })
    await net.worker(manager, 'beta', 8, { statusIntervalMs: 50 })
  })
  afterAll(async () => { await net.stop() })

  const metrics = async (): Promise<string> => await (await fetch(`${base}/metrics`)).text()

  it('exposes tasks, queue, latency and duration, success, workers, retries, leases, journal and alerts', async () => {
    const done = nextEvent(manager, 'task:completed', d => d.id === 'flaky')
    manager.submit([
      { id: 'a', type: 'simulate', difficulty: 3 },
      { id: 'b', depends_on: ['a'], difficulty: 7 },
      { id: 'flaky', payload: { fail: 'always' }, retry_policy: { max_attempts: 2, initial_delay: 0 } }
    ])
    await done
    await nextEvent(manager, 'worker:status', d => d.name === 'alpha')

    const text = await metrics()
    expect(sample(text, 'taskmesh_tasks{state="succeeded"}')).toBeGreaterThanOrEqual(2)
    expect(sample(text, 'taskmesh_tasks{state="failed"}')).toBeGreaterThanOrEqual(1)
    expect(sample(text, 'taskmesh_queue_depth')).toBe(0)
    expect(sample(text, 'taskmesh_workers_online')).toBe(2)
    expect(sample(text, 'taskmesh_assignment_latency_seconds_count{type="simulate"}')).toBeGreaterThanOrEqual(4)
    expect(sample(text, 'taskmesh_task_duration_seconds_count{type="simulate",worker="beta"}')).toBeGreaterThanOrEqual(1)
    expect(sample(text, 'taskmesh_retries_total{type="simulate"}')).toBe(1)
    // "flaky" failed twice (two attempts), wherever it ran
    const failedAttempts = text.split('\n').filter(l => /^taskmesh_attempts_total\{type="simulate",worker="\w+",outcome="failed"\} /.test(l))
    expect(failedAttempts.reduce((n, l) => n + Number(l.split(' ')[1]), 0)).toBe(2)
    expect(text).toMatch(/^taskmesh_success_ratio\{worker="beta",type="simulate"\} [\d.]+$/m)
    expect(text).toMatch(/^taskmesh_worker_load_ratio\{worker="alpha"\} 0$/m)
    expect(sample(text, 'taskmesh_worker_cpu_ratio{worker="alpha"}')).toBeGreaterThanOrEqual(0)
    expect(sample(text, 'taskmesh_worker_memory_bytes{worker="alpha"}')).toBeGreaterThan(1_000_000)
    expect(sample(text, 'taskmesh_lease_expiries_total')).toBe(0)
    expect(sample(text, 'taskmesh_journal_write_seconds_count')).toBeGreaterThan(0)
    expect(sample(text, 'taskmesh_alerts_firing{alert="task_duration"}')).toBe(0)
    expect(text).toMatch(/^taskmesh_admin_info\{peer_id="12D3\w+",network="default",strategy="skill-fit",id="",name=""\} 1$/m)
    // libp2p's own metrics, in the same registry
    expect(text).toMatch(/^libp2p_data_transfer_bytes_total\{/m)
    expect(text).toMatch(/^# TYPE libp2p_connection_manager_dials_total counter$/m)
  })

  it.skipIf(prometheus.missing != null)(`passes promtool check metrics, also once the admin's connections have been pinged${prometheus.note}`, async () => {
    for (const text of [await metrics(), await pinged()]) {
      const lint = await promtool(text)
      expect(lint.output).toBe('')
      expect(lint.code).toBe(0)
    }
  })

  it.skipIf(prometheus.missing != null)(`ships Prometheus rules that promtool accepts and a Grafana dashboard, querying only metrics /metrics has${prometheus.note}`, async () => {
    const rules = fileURLToPath(new URL('../../deploy/prometheus/alerts.yml', import.meta.url))
    const check = spawnSync('promtool', ['check', 'rules', rules], { encoding: 'utf8' })
    expect(check.stdout + check.stderr).toMatch(/SUCCESS: \d+ rules found/)
    expect(check.status).toBe(0)
    const grafana = JSON.parse(readFileSync(new URL('../../deploy/grafana/taskmesh.json', import.meta.url), 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> }
    const queries = [readFileSync(rules, 'utf8'), ...grafana.panels.flatMap(p => p.targets.map(t => t.expr))].join('\n')
    // every metric the admin declares (series with labels appear only once observed); a histogram is
    // queried as its _bucket, _sum and _count series
    const exposed = new Set([...(await metrics()).matchAll(/^# TYPE (\S+) (\w+)$/gm)].flatMap(([, name, type]) => type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!]))
    const named = [...new Set(queries.match(/\btaskmesh_\w+/g))]
    expect(named.length).toBeGreaterThan(10)
    expect(named.filter(n => !exposed.has(n))).toEqual([])
  })

  /** The exposition after the admin pinged every worker: libp2p records ping times then. */
  const pinged = async (): Promise<string> => {
    const ping = (manager.libp2p.services as unknown as { ping: { ping(peer: unknown): Promise<number> } }).ping
    for (const connection of manager.libp2p.getConnections()) await ping.ping(connection.remotePeer)
    return await metrics()
  }

  it('fires an alert on a slow task and resolves it when the task ends', async () => {
    const fired = nextEvent(manager, 'alert:fired', d => d.name === 'task_duration' && d.subject === 'slow')
    const waiting = nextEvent(manager, 'alert:fired', d => d.name === 'dependency_wait' && d.subject === 'after-slow')
    manager.submit([
      { id: 'slow', description: 'a synthetic slow task', payload: { durationMs: 60_000 } },
      { id: 'after-slow', depends_on: ['slow'] }
    ])
    const alert = await fired
    expect(alert).toMatchObject({ name: 'task_duration', subject: 'slow', threshold: 0.2, message: expect.stringMatching(/task slow has run on \w+ for [\d.]+ s, more than 0.2 s/) })
    expect(alert.value).toBeGreaterThan(0.2)
    await waiting

    const firing = await (await fetch(`${base}/api/alerts`)).json() as Array<{ name: string, subject: string }>
    expect(firing.map(a => `${a.name}:${a.subject}`).sort()).toEqual(['dependency_wait:after-slow', 'task_duration:slow'])
    const during = await metrics()
    expect(sample(during, 'taskmesh_alerts_firing{alert="task_duration"}')).toBe(1)
    expect(sample(during, 'taskmesh_alerts_firing{alert="dependency_wait"}')).toBe(1)

    const resolved = nextEvent(manager, 'alert:resolved', d => d.name === 'task_duration' && d.subject === 'slow')
    const unblocked = nextEvent(manager, 'alert:resolved', d => d.name === 'dependency_wait' && d.subject === 'after-slow')
    manager.cancel('slow')
    await resolved
    await unblocked
    expect(await (await fetch(`${base}/api/alerts`)).json()).toEqual([])
    expect(manager.alertsFiring()).toEqual([])
    expect(sample(await metrics(), 'taskmesh_alerts_firing{alert="task_duration"}')).toBe(0)
  })
})
