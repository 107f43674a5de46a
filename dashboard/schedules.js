// The schedules' table: each recurring task with its next firing, the last task it submitted, and a way to
// pause or resume it. Read again when tasks are added (a firing adds one) and after a button.
import { $, esc } from './format.js'
import { get, request } from './api.js'

const when = s => s.cron != null ? `cron ${s.cron} (${s.timezone ?? 'UTC'})` : `every ${s.everyMs / 1000} s`
const time = at => new Date(at).toLocaleString()

export async function renderSchedules () {
  const schedules = await get('/api/schedules')
  $('schedules-card').hidden = schedules.length === 0
  $('schedules').querySelector('tbody').innerHTML = schedules.map(s => `
    <tr data-schedule="${esc(s.name)}">
      <td>${esc(s.name)}</td><td>${esc(when(s))}</td><td>${esc(s.task.type)}</td>
      <td>${s.paused ? 'paused' : s.nextAt != null ? esc(time(s.nextAt)) : 'never'}</td>
      <td>${esc(s.lastTask ?? '')}</td>
      <td class="error">${esc(s.lastError ?? '')}</td>
      <td class="actions"><button data-action="${s.paused ? 'resume' : 'pause'}">${s.paused ? 'resume' : 'pause'}</button></td>
    </tr>`).join('')
}

// POST /api/schedules/:name/pause or /resume, then the table shows what the admin says
$('schedules').addEventListener('click', async e => {
  const button = e.target.closest('button[data-action]')
  if (button == null) return
  const name = button.closest('tr').dataset.schedule
  button.disabled = true
  try {
    await request(`/api/schedules/${encodeURIComponent(name)}/${button.dataset.action}`, { method: 'POST', body: '{}' })
    $('schedules-error').textContent = ''
    await renderSchedules()
  } catch (err) {
    $('schedules-error').textContent = `${name}: ${err.message}`
  } finally {
    button.disabled = false
  }
})
