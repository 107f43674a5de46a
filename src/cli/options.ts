import { InvalidArgumentError } from 'commander'
import { parseWebhook, type WebhookTarget } from '../webhooks/targets.js'
import type { ValidationError } from '../core/errors.js'
import { parseResourceList } from '../tasks/resources.js'
import { MAX_RATE_LIMIT } from '../core/constants.js'
import type { RateLimit } from '../core/rate-limits.js'

/** Option parsers for commander: each rejects a bad value with a message that says what is expected. */

export function integer (min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}`)
    return n
  }
}

export function number (min: number) {
  return (value: string): number => {
    const n = Number(value)
    if (value.trim() === '' || !Number.isFinite(n) || n < min) throw new InvalidArgumentError(`expected a number of at least ${min}`)
    return n
  }
}

/** `cpu=8,memory=32GiB,gpu=1`. */
export function resourceList (value: string): Record<string, number> {
  const { resources, problems } = parseResourceList(value)
  if (problems.length > 0) throw new InvalidArgumentError(problems.map(p => p.message).join('; '))
  return resources
}

export function list (value: string): string[] {
  return value.split(',').map(s => s.trim()).filter(s => s !== '')
}

export function collect (value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

/** `0.3` or `0.3-0.9` seconds, as milliseconds: `{ min: 300, max: 900 }`. */
export function secondsRange (value: string): { min: number, max: number } {
  const m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(value.trim())
  if (m == null) throw new InvalidArgumentError('expected seconds, or a range such as 0.3-0.9')
  const min = Math.round(Number(m[1]) * 1000)
  const max = m[2] != null ? Math.round(Number(m[2]) * 1000) : min
  if (max < min) throw new InvalidArgumentError('the range must go from low to high, such as 0.3-0.9')
  return { min, max }
}

export function oneOf<T extends string> (...choices: T[]) {
  return (value: string): T => {
    if (!(choices as string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}`)
    return value as T
  }
}

/** `8080`, `127.0.0.1:8080`, `0.0.0.0:8080` or `[::1]:8080`; a bare port listens on loopback only. */
export function hostPort (value: string): { host: string, port: number } {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^:\s]+):)?(\d{1,5})$/.exec(value.trim())
  const port = Number(m?.[2])
  if (m == null || port > 65535) throw new InvalidArgumentError('expected a port, or HOST:PORT such as 127.0.0.1:8080 (0 picks a free port)')
  return { host: m[1] != null ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1', port }
}

/** A share from 0 to 1, such as a failure rate. */
export function ratio (value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a number from 0 to 1, such as 0.1')
  return n
}

/** `--webhook [EVENTS=]URL`, repeatable: each checked as it is read, from the command line, the environment or a file. */
export function webhook (value: string, previous: WebhookTarget[] | undefined): WebhookTarget[] {
  try {
    const target = parseWebhook(value)
    if (previous?.some(t => t.url === target.url) === true) throw new InvalidArgumentError(`${target.url} is given twice: give it once, with all its events before "=" (task:failed,done=URL)`)
    return [...(previous ?? []), target]
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw err
    throw new InvalidArgumentError((err as ValidationError).problems.map(p => p.message).join('; '))
  }
}

const PERIOD_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/**
 * `--rate-limit KEY=N/PERIOD`, repeatable: at most N starts of tasks of type KEY (or whose `rate_limit_key`
 * is KEY) per PERIOD, such as `summarize=100/1s`, `openai=3500/1m`, `slow=1/500ms` (`/s` is `/1s`).
 */
export function rateLimit (value: string, previous: RateLimit[] | undefined): RateLimit[] {
  const m = /^([^=\s]+)=(\d+)\/(\d+(?:\.\d+)?)?(ms|s|m|h)$/.exec(value.trim())
  const limit = m != null ? Number(m[2]) : NaN
  const periodMs = m != null ? Number(m[3] ?? 1) * PERIOD_UNITS[m[4]!]! : NaN
  if (m == null || !Number.isInteger(limit) || limit < 1 || limit > MAX_RATE_LIMIT || !(periodMs >= 1)) {
    throw new InvalidArgumentError(`expected KEY=N/PERIOD, such as summarize=100/1s or openai=3500/1m (N from 1 to ${MAX_RATE_LIMIT}; PERIOD in ms, s, m or h), not "${value}"`)
  }
  if (previous?.some(l => l.key === m[1]) === true) throw new InvalidArgumentError(`"${m[1]}" has a rate limit already: give each key one`)
  return [...(previous ?? []), { key: m[1]!, limit, periodMs }]
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ...PERIOD_UNITS, d: 86_400_000 }

/** `90s`, `15m`, `12h`, `7d`, `500ms`, or a number of seconds: as milliseconds, above 0. */
export function duration (value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value.trim())
  const ms = m != null ? Number(m[1]) * DURATION_UNITS[m[2] ?? 's']! : NaN
  if (m == null || !(ms > 0) || !Number.isFinite(ms)) throw new InvalidArgumentError(`expected a duration above 0 such as 90s, 15m, 12h or 7d (a bare number is seconds), not "${value}"`)
  return ms
}

/** `acme=3,globex=1`: each task group's weight (a number above 0), for sharing workers between groups. */
export function groupWeights (value: string): Record<string, number> {
  const weights: Record<string, number> = {}
  for (const part of list(value)) {
    const m = /^([^=\s]+)=(\d+(?:\.\d+)?)$/.exec(part)
    const weight = m != null ? Number(m[2]) : NaN
    if (m == null || !(weight > 0 && weight <= 1e6)) throw new InvalidArgumentError(`expected GROUP=WEIGHT pairs such as acme=3,globex=1 (a weight above 0, at most 1000000), not "${part}"`)
    if (Object.hasOwn(weights, m[1]!)) throw new InvalidArgumentError(`"${m[1]}" has a weight already: give each group one`)
    weights[m[1]!] = weight
  }
  return weights
}

/** A duration as `duration` reads it, or 0: how long ago, at least. */
export function age (value: string): number {
  return /^0+(?:\.0+)?(?:ms|s|m|h|d)?$/.test(value.trim()) ? 0 : duration(value)
}

/** An absolute https: URL (http: on this machine), collected: a module a browser may load. */
export function httpUrl (value: string, previous: string[] | undefined): string[] {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InvalidArgumentError(`expected an absolute URL such as https://example.com/handlers.js, not "${value}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`expected an http: or https: URL, not "${value}"`)
  // code fetched over plain HTTP from another machine can be changed on the way
  if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) throw new InvalidArgumentError(`a module from another machine must come over https: (plain http: is changed on the way as easily as read), not "${value}"`)
  return [...(previous ?? []), url.href]
}

/** The parsers of repeatable options: a setting from the environment or a file gives them a list. */
export const COLLECTING: ReadonlySet<unknown> = new Set([collect, webhook, rateLimit, httpUrl])

const BYTE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 }

/** `64MiB`, `1GB`, `500kB` or a number of bytes: as a whole number above 0. */
export function bytes (value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?$/i.exec(value.trim())
  const n = m != null ? Math.floor(Number(m[1]) * BYTE_UNITS[(m[2] ?? '').toLowerCase()]!) : NaN
  if (m == null || !(n > 0) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a size above 0 such as 64MiB, 1GB or 500kB (a bare number is bytes), not "${value}"`)
  return n
}
