// The workers' table, with an operator's hand on each: drain, resume, disconnect.
import { $, bytes, esc } from './format.js'
import { get, request } from './api.js'

export async function renderWorkers () {
  const workers = await get('/api/workers')
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

// PATCH / DELETE /api/workers/:id, then the table shows what the admin says
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
  await renderWorkers()
})

/** "cpu 2/8, memory 4 GiB/32 GiB": what its running attempts hold of what it offers. */
function resourceUse (w) {
  const offered = w.resources ?? {}
  const amount = (name, n) => /memory|bytes|disk|storage/i.test(name) ? bytes(n) : String(n)
  return Object.keys(offered).sort().map(name => `${name} ${amount(name, w.resourcesHeld[name] ?? 0)}/${amount(name, offered[name])}`).join(', ')
}
