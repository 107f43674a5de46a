import { isIP } from 'node:net'
import type { IncomingHttpHeaders } from 'node:http'

/** Methods that change nothing: what a page of another site may send anyway cannot read the answer. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Why a request a browser may have sent on someone else's behalf is refused, or undefined. Two attacks
 * on an API without a token on loopback:
 *
 * - a page of another site that the operator opens sends a "simple" cross-site request (a form post, or a
 *   `text/plain` fetch) that changes something: a request that changes state is refused when the browser
 *   says it comes from another site (`Sec-Fetch-Site`) or another origin (`Origin`). Programs (curl,
 *   scripts, agents) send neither and are not concerned;
 * - a page on a DNS name rebound to 127.0.0.1 is same-origin with the API and could read it: a request is
 *   refused when its `Host` names something other than an IP address, localhost, or a name the operator
 *   listed (`--http-allow-host`).
 */
export function checkBrowserSafety (method: string, headers: IncomingHttpHeaders, allowedHosts: ReadonlySet<string>): string | undefined {
  const host = headers.host
  if (host != null) {
    const name = hostName(host)
    if (name !== 'localhost' && isIP(name) === 0 && !allowedHosts.has(name)) {
      return `this admin's HTTP API is not reached by the name "${name}" (a web page on a name that points to this machine could read it): use its address, or start the admin with --http-allow-host ${name}`
    }
  }
  if (SAFE_METHODS.has(method)) return undefined
  const site = headers['sec-fetch-site']
  if (site != null && site !== 'same-origin' && site !== 'none') {
    return `a request a web page of another site (Sec-Fetch-Site: ${site}) sent may not change this admin: use its dashboard, or a program (curl, a script) that sends no such header`
  }
  const origin = headers.origin
  if (origin != null && (host == null || originHost(origin) !== host.toLowerCase())) {
    return `a request from another origin (${origin.slice(0, 200)}) may not change this admin: use its dashboard, or a program (curl, a script) that sends no Origin`
  }
  return undefined
}

/** `example.org:8080` → `example.org`, `[::1]:8080` → `::1`. */
function hostName (host: string): string {
  const lower = host.toLowerCase()
  if (lower.startsWith('[')) return lower.slice(1, lower.indexOf(']') === -1 ? undefined : lower.indexOf(']'))
  const colon = lower.lastIndexOf(':')
  return colon === -1 ? lower : lower.slice(0, colon)
}

/** The host and port an Origin names, as a Host header would say them; '' when it names none (`null`). */
function originHost (origin: string): string {
  try {
    return new URL(origin).host.toLowerCase()
  } catch {
    return ''
  }
}

/**
 * Whether a page of `origin` is one the admin's HTTP server at `serverUrl` served (its /worker page): the
 * same scheme and port, reached by an IP address, localhost or a name the operator listed. A page of
 * another site, or on a name rebound to the admin's address, is not.
 */
export function isOwnPageOrigin (origin: string, serverUrl: string, allowedHosts: ReadonlySet<string>): boolean {
  let page: URL
  let server: URL
  try {
    page = new URL(origin)
    server = new URL(serverUrl)
  } catch {
    return false
  }
  if (page.protocol !== server.protocol || page.port !== server.port) return false
  const name = hostName(page.host)
  return name === 'localhost' || isIP(name) !== 0 || allowedHosts.has(name)
}
