// The taskmesh dashboard: reads the admin's HTTP API and follows its Server-Sent Events.
import cytoscape from '/vendor/cytoscape.esm.min.mjs'
import dagre from '/vendor/cytoscape-dagre.min.mjs'

cytoscape.use(dagre)

const STATES = ['waiting', 'ready', 'delayed', 'running', 'succeeded', 'failed', 'skipped', 'cancelled']
const color = state => getComputedStyle(document.documentElement).getPropertyValue(`--${state}`).trim()
const $ = id => document.getElementById(id)
const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]))

// a token from ?token= is kept for this tab, and sent as a bearer token (or, for the event stream, in the URL)
const params = new URLSearchParams(location.search)
if (params.has('token')) sessionStorage.setItem('taskmesh-token', params.get('token'))
const token = () => sessionStorage.getItem('taskmesh-token') ?? ''

async function request (path, init = {}) {
  const headers = { ...(token() !== '' ? { authorization: `Bearer ${token()}` } : {}), ...(init.body != null ? { 'content-type': 'application/json' } : {}) }
  const res = await fetch(path, { ...init, headers })
  if (res.status === 401) {
    $('token-form').hidden = false
    throw new Error('token needed')
  }
  if (!res.ok) {
    const body = await res.json().catch(() => ({}))
    throw new Error(body.message ?? `${path}: ${res.status}`)
  }
  return res.json()
}
const get = path => request(path)

$('token-form').addEventListener('submit', e => {
  e.preventDefault()
  sessionStorage.setItem('taskmesh-token', $('token').value)
  location.reload()
})

// ---------------------------------------------------------------- progress and alerts

function renderSummary (s) {
  const final = s.counts.succeeded + s.counts.failed + s.counts.skipped + s.counts.cancelled
  const percent = s.total === 0 ? 0 : Math.floor(final / s.total * 100)
  $('progress-bar').style.width = `${percent}%`
  $('progress-percent').textContent = `${percent}%`
  $('progress-total').textContent = s.total
  const label = [s.name, s.id].filter(Boolean).join(' · ')
  $('admin').textContent = `${label !== '' ? `${label} · ` : ''}${s.peerId.slice(0, 16)}… · network "${s.network}" · ${s.strategy} · ${s.workers} workers`
  if (s.name) document.title = `${s.name} · taskmesh`
  $('counts').innerHTML = STATES.filter(st => s.counts[st] > 0)
    .map(st => `<li style="background:${color(st)}" data-state="${st}">${st} ${s.counts[st]}</li>`).join('')
  // ready tasks no connected worker can run, and why
  $('blocked').innerHTML = s.blocked.map(b => `<li class="blocked">${b.tasks} ${b.tasks === 1 ? 'task waits' : 'tasks wait'}: ${esc(b.reason)}</li>`).join('')
}

function renderAlerts (alerts) {
  $('alerts').innerHTML = alerts.length === 0
    ? '<li class="muted">none</li>'
    : alerts.map(a => `<li class="firing" data-alert="${esc(a.name)}"><strong>${esc(a.name)}</strong> ${esc(a.message)}</li>`).join('')
}

// ---------------------------------------------------------------- workers

function renderWorkers (workers) {
  $('workers').querySelector('tbody').innerHTML = workers.map(w => `
    <tr data-worker="${esc(w.name)}">
      <td>${esc(w.name)}</td><td>${w.skill}</td><td>${esc(w.capabilities.join(', '))}</td>
      <td><span class="load"><span style="width:${Math.round(w.running / w.capacity * 100)}%"></span></span>${w.running}/${w.capacity}</td>
      <td>${w.completed}</td><td>${w.failed}</td>
      <td>${w.successRate != null ? `${Math.round(w.successRate * 100)}%` : ''}</td>
      <td>${w.cpu != null ? `${Math.round(w.cpu * 100)}%` : ''}</td>
      <td>${w.memoryBytes != null ? bytes(w.memoryBytes) : ''}</td>
      <td>${esc(resourceUse(w))}</td>
      <td>${!w.online ? 'offline' : w.draining ? 'draining' : w.busy ? 'busy' : 'online'}</td>
      <td class="actions">${w.draining || !w.online
        ? `<button data-action="resume" data-id="${esc(w.id)}" title="take work again">resume</button>`
        : `<button data-action="drain" data-id="${esc(w.id)}" title="finish what it runs, take nothing new">drain</button>`}
        <button data-action="disconnect" data-id="${esc(w.id)}" title="close its connection; its running tasks go back to the queue">disconnect</button></td>
    </tr>`).join('')
}

// an operator's hand on a worker: PATCH / DELETE /api/workers/:id, then the table shows what the admin says
$('workers').addEventListener('click', async e => {
  const button = e.target.closest('button[data-action]')
  if (button == null) return
  const { action, id } = button.dataset
  const name = button.closest('tr').dataset.worker
  if (action === 'disconnect' && !confirm(`Disconnect worker ${name}? Its running tasks go back to the queue.`)) return
  const path = `/api/workers/${encodeURIComponent(id)}`
  button.disabled = true
  try {
    if (action === 'disconnect') await request(path, { method: 'DELETE' })
    else await request(path, { method: 'PATCH', body: JSON.stringify(action === 'drain' ? { draining: true } : { draining: false, online: true }) })
    $('workers-error').textContent = ''
  } catch (err) {
    $('workers-error').textContent = `${name}: ${err.message}`
  } finally {
    button.disabled = false
  }
  soon()
})

/** "cpu 2/8, memory 4 GiB/32 GiB": what its running attempts hold of what it offers. */
function resourceUse (w) {
  const offered = w.resources ?? {}
  const amount = (name, n) => /memory|bytes|disk|storage/i.test(name) ? bytes(n) : String(n)
  return Object.keys(offered).sort().map(name => `${name} ${amount(name, w.resourcesHeld[name] ?? 0)}/${amount(name, offered[name])}`).join(', ')
}

/** 850 → "850 ms", 1500 → "1.5 s", 90000 → "1 min 30 s". */
function duration (ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`
}

/** 1536 → "1.5 KiB", as the CLI prints sizes. */
function bytes (n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let unit = 0
  while (n >= 1024 && unit < units.length - 1) { n /= 1024; unit++ }
  return `${unit === 0 || n >= 100 ? Math.round(n) : n.toFixed(1)} ${units[unit]}`
}

// ---------------------------------------------------------------- tasks and their history

async function renderTasks () {
  const state = $('state-filter').value
  const page = await get(`/api/tasks?limit=500${state !== '' ? `&state=${state}` : ''}`)
  const text = $('text-filter').value.toLowerCase()
  const rows = page.tasks.filter(t => text === '' || `${t.id} ${t.description} ${t.worker ?? ''}`.toLowerCase().includes(text))
  $('tasks').querySelector('tbody').innerHTML = rows.map(t => `
    <tr data-task="${esc(t.id)}" data-state="${t.state}">
      <td>${esc(t.id)}</td><td>${esc(t.description)}</td>
      <td><span class="state" style="background:${color(t.state)}">${t.state}</span></td>
      <td>${t.priority}</td><td>${esc(t.worker)}</td><td>${t.attempts}</td><td title="${esc(t.error ?? t.waitingFor)}">${esc(t.error ?? t.waitingFor)}</td>
    </tr>`).join('')
  $('tasks-note').textContent = page.total > page.tasks.length ? `showing ${page.tasks.length} of ${page.total}` : ''
}

$('tasks').addEventListener('click', async e => {
  const row = e.target.closest('tr[data-task]')
  if (row == null) return
  const task = await get(`/api/tasks/${encodeURIComponent(row.dataset.task)}`)
  $('history-title').textContent = `${task.id}: ${task.state}${task.waitingFor != null ? ` (${task.waitingFor})` : ''}`
  $('history-rows').innerHTML = task.history.map(h => `
    <tr><td>${new Date(h.at).toLocaleTimeString()}</td><td>${esc(h.event)}</td><td>${h.attempt ?? ''}</td>
    <td>${esc(h.worker ?? '')}</td><td>${esc([h.error, h.detail, h.durationMs != null ? `took ${duration(h.durationMs)}` : ''].filter(Boolean).join('; '))}</td></tr>`).join('')
  $('history').hidden = false
})
$('history-close').addEventListener('click', () => { $('history').hidden = true })
$('state-filter').addEventListener('change', () => { void renderTasks() })
$('text-filter').addEventListener('input', () => { void renderTasks() })

// ---------------------------------------------------------------- the dependency graph

let graph
let drawn = ''
async function renderGraph () {
  const view = await get('/api/graph?limit=500')
  $('graph-note').textContent = view.truncated ? `(the first ${view.nodes.length} tasks)` : ''
  const shape = view.nodes.map(n => n.id).join('\n') + '|' + view.edges.map(e => `${e.from}>${e.to}`).join('\n')
  if (graph == null || shape !== drawn) {
    // a layered layout (dagre): dependencies flow left to right, each task a box around its label, so
    // labels never sit on edges or on each other
    graph?.destroy()
    graph = cytoscape({
      container: $('graph'),
      elements: [
        ...view.nodes.map(n => ({ data: { id: n.id, label: n.label, state: n.state } })),
        ...view.edges.map(e => ({ data: { id: `${e.from}>${e.to}`, source: e.from, target: e.to } }))
      ],
      style: [
        { selector: 'node', style: { label: 'data(label)', shape: 'round-rectangle', width: 'label', height: 'label', padding: 6, 'font-size': 11, 'text-valign': 'center', 'text-halign': 'center', color: '#1f2328', 'background-color': el => color(el.data('state')), 'border-width': 1, 'border-color': '#57606a' } },
        { selector: 'node[state = "skipped"], node[state = "cancelled"]', style: { 'border-style': 'dashed' } },
        { selector: 'node[state = "failed"]', style: { 'border-width': 2, 'border-color': '#a40e26' } },
        { selector: 'edge', style: { width: 1.2, 'line-color': '#8c959f', 'target-arrow-color': '#8c959f', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier' } }
      ],
      layout: { name: 'dagre', rankDir: 'LR', nodeSep: 8, rankSep: 48, edgeSep: 6, nodeDimensionsIncludeLabels: true, padding: 12 },
      wheelSensitivity: 0.3
    })
    $('graph').dataset.layout = 'dagre'
    // the graph object, for the browser's console (and the dashboard's test)
    window.taskmeshGraph = graph
    drawn = shape
  } else {
    for (const n of view.nodes) graph.getElementById(n.id).data('state', n.state)
    graph.style().update()
  }
  $('graph').dataset.nodes = String(view.nodes.length)
  $('graph').dataset.states = view.nodes.map(n => n.state).join(',')
}
$('legend').innerHTML = STATES.map(s => `<li style="background:${color(s)}">${s}</li>`).join('')

// ---------------------------------------------------------------- live updates

async function refresh () {
  const [summary, workers, alerts] = await Promise.all([get('/api/summary'), get('/api/workers'), get('/api/alerts')])
  renderSummary(summary)
  renderWorkers(workers)
  renderAlerts(alerts)
  await Promise.all([renderTasks(), renderGraph()])
}

// events come in bursts: refresh at most every 300 ms, always after the last one
let timer
let again = false
function soon () {
  if (timer != null) { again = true; return }
  timer = setTimeout(async () => {
    try { await refresh() } finally {
      timer = undefined
      if (again) { again = false; soon() }
    }
  }, 300)
}

function follow () {
  const events = new EventSource(`/api/events${token() !== '' ? `?access_token=${encodeURIComponent(token())}` : ''}`)
  events.onopen = () => { $('live').dataset.live = 'yes'; $('live').textContent = 'live' }
  events.onerror = () => { $('live').dataset.live = 'no'; $('live').textContent = 'reconnecting' }
  for (const name of ['worker:connected', 'worker:disconnected', 'worker:status', 'task:submitted', 'task:assigned', 'task:completed', 'task:attempt-ended', 'progress', 'alert:fired', 'alert:resolved']) {
    events.addEventListener(name, soon)
  }
}

refresh().then(follow, err => { console.error(err) })
