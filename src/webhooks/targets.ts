import { ValidationError } from '../core/errors.js'
import { DEFAULT_WEBHOOK_EVENTS } from './constants.js'

/** Where a webhook posts, and which events. */
export interface WebhookTarget {
  url: string
  events: ReadonlySet<WebhookEvent>
}

/**
 * The events a webhook may ask for: a task that became final (`task:completed`, or by its outcome
 * `task:succeeded`, `task:failed`, `task:cancelled`, `task:skipped`), a task submitted, every task final
 * (`done`), a worker that connected, left or was quarantined.
 */
export const WEBHOOK_EVENTS = ['task:completed', 'task:succeeded', 'task:failed', 'task:cancelled', 'task:skipped', 'task:submitted', 'done', 'worker:connected', 'worker:disconnected', 'worker:quarantined'] as const
export type WebhookEvent = typeof WEBHOOK_EVENTS[number]

/**
 * `--webhook URL`, or `--webhook EVENT,EVENT=URL`: an http(s) URL, and the events it gets (by default
 * `task:completed`). Says what is wrong by the option's value.
 */
export function parseWebhook (value: string): WebhookTarget {
  const bare = /^https?:\/\//i.test(value)
  const cut = bare ? -1 : value.indexOf('=')
  const url = cut < 0 ? value : value.slice(cut + 1)
  const names = cut < 0 ? [...DEFAULT_WEBHOOK_EVENTS] : value.slice(0, cut).split(',').map(e => e.trim()).filter(e => e !== '')
  const problems: Array<{ path: string, message: string }> = []
  let parsed: URL | undefined
  try {
    parsed = new URL(url)
  } catch {
    problems.push({ path: '--webhook', message: `"${url}" is not a URL: give http(s)://host/path, or EVENTS=URL such as task:failed,done=https://hooks.example/taskmesh` })
  }
  if (parsed != null && parsed.protocol !== 'http:' && parsed.protocol !== 'https:') problems.push({ path: '--webhook', message: `${parsed.protocol} URLs are not posted to: give an http or https URL` })
  if (parsed != null && (parsed.username !== '' || parsed.password !== '')) problems.push({ path: '--webhook', message: 'a URL with a user or password would print them in logs: authenticate the receiver with --webhook-secret (its signature header) instead' })
  for (const name of names) {
    if (!(WEBHOOK_EVENTS as readonly string[]).includes(name)) problems.push({ path: '--webhook', message: `unknown event "${name}": webhooks take ${WEBHOOK_EVENTS.join(', ')}` })
  }
  if (names.length === 0) problems.push({ path: '--webhook', message: 'no event before "=": name at least one, such as task:failed=URL' })
  if (problems.length > 0) throw new ValidationError(problems, { subject: 'options' })
  return { url, events: new Set(names as WebhookEvent[]) }
}
