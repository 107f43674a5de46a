// The task table, a page at a time from the server (offset and limit), filtered by state and words there
// too; and a task's panel with its output, error and history (a dialog: Escape closes it).
import { $, color, count, duration, esc } from './format.js'
import { get } from './api.js'

export const PAGE = 50
/** Characters of an output the panel shows; the CLI prints the rest. */
const SHOWN_OUTPUT = 64 * 1024
let offset = 0
let shown = new Set()

export async function renderTasks () {
  const state = $('state-filter').value
  const search = $('text-filter').value.trim()
  const query = new URLSearchParams({ offset: String(offset), limit: String(PAGE) })
  if (state !== '') query.set('state', state)
  if (search !== '') query.set('search', search)
  const page = await get(`/api/tasks?${query}`)
  // a filter that leaves fewer tasks than the page began at: back to the first page
  if (page.tasks.length === 0 && offset > 0 && page.total > 0) {
    offset = 0
    return await renderTasks()
  }
  shown = new Set(page.tasks.map(t => t.id))
  $('tasks').querySelector('tbody').innerHTML = page.tasks.map(t => `
    <tr data-task="${esc(t.id)}" data-state="${t.state}">
      <td>${esc(t.id)}${t.group != null ? ` <span class="muted" title="its task group">${esc(t.group)}</span>` : ''}</td><td>${esc(t.description)}</td>
      <td><span class="state" style="background:${color(t.state)}">${t.state}</span></td>
      <td>${t.priority}</td><td>${esc(t.worker)}</td><td>${t.attempts}</td><td class="reason" title="${esc(t.error ?? t.waitingFor)}">${esc(t.error ?? t.waitingFor)}</td>
    </tr>`).join('')
  const first = page.total === 0 ? 0 : offset + 1
  $('tasks-range').textContent = `${count(first)}–${count(offset + page.tasks.length)} of ${count(page.total)}${page.partial ? ' (the search read the first 100,000 tasks)' : ''}${search !== '' ? ` · as of ${new Date().toLocaleTimeString()}` : ''}`
  $('tasks-prev').disabled = offset === 0
  $('tasks-next').disabled = offset + PAGE >= page.total
}

/** Whether an update's tasks touch the page on screen. */
export const onScreen = ids => ids.some(id => shown.has(id))

$('tasks-prev').addEventListener('click', () => { offset = Math.max(0, offset - PAGE); void renderTasks() })
$('tasks-next').addEventListener('click', () => { offset += PAGE; void renderTasks() })
$('state-filter').addEventListener('change', () => { offset = 0; void renderTasks() })
let typing
$('text-filter').addEventListener('input', () => {
  clearTimeout(typing)
  typing = setTimeout(() => { offset = 0; void renderTasks() }, 200)
})

/** A task's panel: its state, output or error, and every event of its history. */
export async function openTask (id) {
  const task = await get(`/api/tasks/${encodeURIComponent(id)}`)
  $('task-title').textContent = `${task.id}: ${task.state}${task.waitingFor != null ? ` (${task.waitingFor})` : ''}`
  $('task-description').textContent = task.description ?? ''
  $('task-output').hidden = task.output === undefined
  const output = task.output === undefined ? '' : JSON.stringify(task.output, null, 2)
  $('task-output').querySelector('pre').textContent = output.length > SHOWN_OUTPUT
    ? `${output.slice(0, SHOWN_OUTPUT)}\n… (${count(output.length)} characters in all: taskmesh result ${task.id} prints them)`
    : output
  $('task-error').hidden = task.error == null
  $('task-error').querySelector('pre').textContent = task.error ?? ''
  $('history-rows').innerHTML = task.history.map(h => `
    <tr><td>${new Date(h.at).toLocaleTimeString()}</td><td>${esc(h.event)}</td><td>${h.attempt ?? ''}</td>
    <td>${esc(h.worker ?? '')}</td><td>${esc([h.error, h.detail, h.durationMs != null ? `took ${duration(h.durationMs)}` : ''].filter(Boolean).join('; '))}</td></tr>`).join('')
  if (!$('task-panel').open) $('task-panel').showModal()
}

$('tasks').addEventListener('click', e => {
  const row = e.target.closest('tr[data-task]')
  if (row != null) void openTask(row.dataset.task)
})
$('task-close').addEventListener('click', () => { $('task-panel').close() })
// a click on the backdrop, outside the panel, closes it too
$('task-panel').addEventListener('click', e => { if (e.target === $('task-panel')) $('task-panel').close() })
