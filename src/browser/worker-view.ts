/// <reference lib="dom" />
import type { BrowserWorkerConfig } from '../http/browser-worker.js'
import type { WorkerService } from '../worker/worker-service.js'

/** What the page joins as: from its query, or from the form when the query does not say. */
export interface PageSettings {
  name: string
  skill: number
  capabilities: string[]
  maxConcurrent: number
  /** How long the built-in simulate handler takes, ms. */
  simulateMs: number
  /** A handler module the admin offers, by URL. */
  handlers?: string
}

/** Tasks shown at most: the latest first. */
const MAX_ROWS = 200

/**
 * The browser worker's page: who it is, whether it is connected and how, and what it runs. Text from the
 * admin or a task goes in as text, never as markup.
 */
export class WorkerView {
  private readonly doc: Document
  private readonly rows = new Map<string, HTMLTableRowElement>()
  private completed = 0
  private failed = 0

  constructor (doc: Document) {
    this.doc = doc
  }

  private el (id: string): HTMLElement {
    const found = this.doc.getElementById(id)
    if (found == null) throw new Error(`the page has no #${id}`)
    return found
  }

  fail (text: string): void {
    const box = this.el('problem')
    box.textContent = text
    box.hidden = false
  }

  identity (config: BrowserWorkerConfig, peerId: string): void {
    this.el('peer-id').textContent = peerId
    this.el('network').textContent = config.network
  }

  /** The settings in the query (`name` and `skill` join at once), or those of the form once it is sent. */
  async settings (params: URLSearchParams, config: BrowserWorkerConfig): Promise<PageSettings> {
    const read = (get: (key: string) => string | null): PageSettings | string => {
      const name = (get('name') ?? '').trim()
      const skill = Number(get('skill') ?? '')
      if (name === '') return 'give the worker a name'
      if (get('skill') == null || get('skill') === '' || !Number.isFinite(skill) || skill < 0) return 'give a skill level: a number, 0 or more'
      const max = Number(get('max') ?? '1')
      const handlers = get('handlers')
      return {
        name,
        skill,
        capabilities: (get('capabilities') ?? '').split(',').map(c => c.trim()).filter(c => c !== ''),
        maxConcurrent: Number.isInteger(max) && max >= 1 ? Math.min(max, 64) : 1,
        simulateMs: Math.max(0, Number(get('simulate_ms') ?? '0') || 0),
        ...(handlers != null && handlers !== '' ? { handlers } : {})
      }
    }
    const form = this.el('join') as HTMLFormElement
    const offered = this.el('offered-handlers') as HTMLSelectElement
    for (const url of config.handlers) offered.append(new Option(url, url))
    for (const key of ['name', 'skill', 'capabilities', 'max']) {
      const input = form.elements.namedItem(key) as HTMLInputElement | null
      if (input != null && params.get(key) != null) input.value = params.get(key)!
    }
    const given = read(key => params.get(key))
    if (typeof given !== 'string') {
      form.hidden = true
      return given
    }
    form.hidden = false
    return await new Promise<PageSettings>(resolve => {
      form.addEventListener('submit', event => {
        event.preventDefault()
        const data = new FormData(form)
        const chosen = read(key => key === 'handlers' ? (data.get('handlers') as string | null) : (data.get(key) as string | null) ?? params.get(key))
        if (typeof chosen === 'string') {
          this.fail(chosen)
          return
        }
        this.el('problem').hidden = true
        form.hidden = true
        resolve(chosen)
      })
    })
  }

  /** Shows what the worker service does from now on. */
  follow (worker: WorkerService, types: string[]): void {
    this.el('name').textContent = worker.name
    this.el('types').textContent = types.join(', ')
    this.state('connecting')
    worker.addEventListener('admin:connected', ({ detail }) => { this.state(`connected${detail.via === 'relayed' ? ' through a relay' : ''}`) })
    worker.addEventListener('admin:disconnected', ({ detail }) => { this.state(`disconnected: ${detail.reason}`) })
    worker.addEventListener('reconnecting', ({ detail }) => { this.state(`reconnecting in ${(detail.delayMs / 1000).toFixed(1)} s: ${detail.reason}`) })
    worker.addEventListener('error', ({ detail }) => {
      this.state('stopped')
      this.fail(detail.message)
    })
    worker.addEventListener('task:started', ({ detail }) => { this.row(detail.taskId, detail.attempt, detail.type, 'running') })
    worker.addEventListener('task:finished', ({ detail }) => {
      if (detail.success) this.completed++
      else this.failed++
      this.el('counts').textContent = `${this.completed} succeeded, ${this.failed} failed`
      this.row(detail.taskId, detail.attempt, undefined, detail.success ? `succeeded in ${detail.durationMs.toFixed(1)} ms` : `failed: ${detail.error ?? ''}`)
    })
    worker.addEventListener('task:cancelled', ({ detail }) => { this.row(detail.taskId, detail.attempt, undefined, `cancelled: ${detail.reason}`) })
  }

  private state (text: string): void {
    const box = this.el('state')
    box.textContent = text
    box.dataset.state = text.split(/[ :]/)[0]!
  }

  private row (taskId: string, attempt: number, type: string | undefined, state: string): void {
    const key = `${taskId}#${attempt}`
    let row = this.rows.get(key)
    if (row == null) {
      const body = this.el('tasks') as HTMLTableSectionElement
      row = body.insertRow(0)
      for (const text of [taskId, String(attempt), type ?? '', '']) row.insertCell().textContent = text
      this.rows.set(key, row)
      while (this.rows.size > MAX_ROWS) {
        const [oldest] = this.rows.keys()
        this.rows.get(oldest!)?.remove()
        this.rows.delete(oldest!)
      }
    }
    row.cells[3]!.textContent = state
    row.dataset.state = state.split(' ')[0]!
  }
}
