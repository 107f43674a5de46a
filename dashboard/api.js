// The admin's HTTP API as the dashboard reads it: the token (from ?token=, kept for this tab) and requests.
import { $ } from './format.js'

const params = new URLSearchParams(location.search)
if (params.has('token')) sessionStorage.setItem('taskmesh-token', params.get('token'))
export const token = () => sessionStorage.getItem('taskmesh-token') ?? ''

export async function request (path, init = {}) {
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
export const get = path => request(path)

/** The summarised stream (at most a few updates a second); EventSource cannot set headers, so the token rides in the URL. */
export function followUpdates (onUpdate, onLive) {
  const events = new EventSource(`/api/updates${token() !== '' ? `?access_token=${encodeURIComponent(token())}` : ''}`)
  events.onopen = () => onLive(true)
  events.onerror = () => onLive(false)
  events.addEventListener('update', e => onUpdate(JSON.parse(e.data)))
  return events
}

$('token-form').addEventListener('submit', e => {
  e.preventDefault()
  sessionStorage.setItem('taskmesh-token', $('token').value)
  location.reload()
})
