// The taskmesh dashboard: reads the admin's HTTP API and follows its summarised stream (/api/updates): at
// most a few updates a second, each saying what changed, so the page keeps up with a busy network and
// costs it little. Each part reads again only what an update says it shows.
import { $, STATES, color, count, duration, esc } from './format.js'
import { followUpdates, get, request } from './api.js'
import { renderWorkers } from './workers.js'
import { onScreen, openTask, renderTasks } from './tasks.js'
import { focus, renderGraph, updateStates } from './graph.js'
import { renderCharts } from './charts.js'
import { renderSchedules } from './schedules.js'

/** The graph is read again at most this often when many tasks change (its states come with each update). */
const GRAPH_EVERY_MS = 2000
const CHARTS_EVERY_MS = 2000

/** What a pause holds, as the CLI says it: every task, tasks of type "x", tasks of group "y". */
function scopeText (scope) {
  if (scope === 'all') return 'every task'
  const [kind, ...name] = scope.split(':')
  return `tasks of ${kind} "${name.join(':')}"`
}

function renderSummary (s) {
  const final = s.counts.succeeded + s.counts.failed + s.counts.skipped + s.counts.cancelled
  const percent = s.total === 0 ? 0 : Math.floor(final / s.total * 100)
  $('progress-bar').style.width = `${percent}%`
  $('progress-percent').textContent = `${percent}%`
  $('progress-total').textContent = count(s.total)
  const label = [s.name, s.id].filter(Boolean).join(' · ')
  $('admin').textContent = `${label !== '' ? `${label} · ` : ''}${s.peerId.slice(0, 16)}… · network "${s.network}" · ${s.strategy} · ${s.workers} workers`
  if (s.name) document.title = `${s.name} · taskmesh`
  $('counts').innerHTML = STATES.filter(st => s.counts[st] > 0)
    .map(st => `<li style="background:${color(st)}" data-state="${st}">${st} ${count(s.counts[st])}</li>`).join('')
  // what an operator paused, each with its way back
  $('paused').innerHTML = s.paused.map(p => `<li class="blocked" data-scope="${esc(p.scope)}">paused: ${esc(scopeText(p.scope))}${p.reason != null ? ` (${esc(p.reason)})` : ''}
    <span class="actions"><button data-resume="${esc(p.scope)}">resume</button></span></li>`).join('')
  $('pause-all').hidden = s.paused.some(p => p.scope === 'all')
  // how long finished tasks are kept, and how many went
  const r = s.retention
  $('retention').textContent = r == null ? '' : `finished tasks kept ${[r.finishedMs != null ? duration(r.finishedMs) : undefined, r.finishedCount != null ? `the newest ${count(r.finishedCount)}` : undefined].filter(Boolean).join(', ') || 'until purged'} · ${count(r.dropped)} dropped`
  // ready tasks no connected worker can run, and why
  $('blocked').innerHTML = s.blocked.map(b => `<li class="blocked">${count(b.tasks)} ${b.tasks === 1 ? 'task waits' : 'tasks wait'}: ${esc(b.reason)}</li>`).join('')
}

async function renderAlerts () {
  const alerts = await get('/api/alerts')
  $('alerts').innerHTML = alerts.length === 0
    ? '<li class="muted">none</li>'
    : alerts.map(a => `<li class="firing" data-alert="${esc(a.name)}"><strong>${esc(a.name)}</strong> ${esc(a.message)}</li>`).join('')
}

// one update at a time: one that arrives while the page redraws is merged into the next
let busy = false
let queued
let lastTotal = -1
let graphAt = 0
let graphStale = false

async function apply (update) {
  renderSummary(update.summary)
  const ids = Object.keys(update.tasks)
  const work = []
  if (update.workers) work.push(renderWorkers())
  if (update.alerts) work.push(renderAlerts())
  // a firing adds a task: the schedules' next and last change with it
  if (update.summary.total !== lastTotal) work.push(renderSchedules())
  // a search's page is read again only when asked for (a search reads many tasks on the admin)
  const searching = $('text-filter').value.trim() !== ''
  if (!searching && (update.more || update.summary.total !== lastTotal || onScreen(ids))) work.push(renderTasks())
  // the graph takes the states an update lists; it is read again when it lacks a task or many changed
  if (update.more || update.summary.total !== lastTotal || updateStates(update.tasks)) graphStale = true
  if (graphStale && Date.now() - graphAt >= GRAPH_EVERY_MS) {
    graphStale = false
    graphAt = Date.now()
    work.push(renderGraph())
  }
  lastTotal = update.summary.total
  await Promise.all(work)
}

function onUpdate (update) {
  if (busy) {
    queued = merge(queued, update)
    return
  }
  busy = true
  apply(update).catch(err => { console.error(err) }).finally(() => {
    busy = false
    if (queued != null) {
      const next = queued
      queued = undefined
      onUpdate(next)
    }
  })
}

/** Two updates as one: the later summary, every task either lists, every flag either raises. */
function merge (a, b) {
  if (a == null) return b
  return { summary: b.summary, tasks: { ...a.tasks, ...b.tasks }, more: a.more || b.more, workers: a.workers || b.workers, alerts: a.alerts || b.alerts }
}

function live (yes) {
  $('live').dataset.live = yes ? 'yes' : 'no'
  $('live').textContent = yes ? 'live' : 'reconnecting'
}

// pause and resume: POST /api/pause, /api/resume; the next update shows what the admin says
$('pause-all').addEventListener('click', async () => {
  const reason = prompt('Pause every task: nothing new starts, running tasks finish. Why? (optional)')
  if (reason === null) return
  await request('/api/pause', { method: 'POST', body: JSON.stringify(reason !== '' ? { reason } : {}) }).catch(err => { $('workers-error').textContent = err.message })
})
$('paused').addEventListener('click', async e => {
  const button = e.target.closest('button[data-resume]')
  if (button == null) return
  // the scope as the admin said it: all, type:NAME or group:NAME
  const [kind, ...name] = button.dataset.resume.split(':')
  await request('/api/resume', { method: 'POST', body: JSON.stringify(kind === 'all' ? {} : { [kind]: name.join(':') }) }).catch(err => { $('workers-error').textContent = err.message })
})

$('legend').innerHTML = STATES.map(s => `<li style="background:${color(s)}">${s}</li>`).join('')
$('graph').addEventListener('task', e => { void openTask(e.detail) })
$('find').addEventListener('submit', async e => {
  e.preventDefault()
  const id = $('find-id').value.trim()
  if (id === '') return
  try {
    await focus(id)
    $('find-error').textContent = ''
    await openTask(id)
  } catch (err) {
    $('find-error').textContent = err.message
  }
})

followUpdates(onUpdate, live)
void renderCharts().catch(err => { console.error(err) })
setInterval(() => { void renderCharts().catch(err => { console.error(err) }) }, CHARTS_EVERY_MS)
setInterval(() => {
  // a graph change left waiting by the limit above is drawn once updates calm down
  if (!graphStale || busy || Date.now() - graphAt < GRAPH_EVERY_MS) return
  graphStale = false
  graphAt = Date.now()
  void renderGraph().catch(err => { console.error(err) })
}, GRAPH_EVERY_MS)
