/**
 * The browser worker's page on the admin's HTTP server: what the server serves and the page reads. Shared
 * by both sides, so nothing here may need Node.
 */

/** The page: opening it joins the network as a worker (`?name=NAME&skill=N` joins at once). */
export const BROWSER_WORKER_PATH = '/worker'
/** Its script, a bundle of libp2p and the worker (`npm run build` makes it). */
export const BROWSER_WORKER_SCRIPT_PATH = '/worker.js'
/** The element of the page that holds what it needs to join (written into the page as it is served). */
export const BROWSER_WORKER_CONFIG_ID = 'taskmesh-config'

export interface BrowserWorkerConfig {
  /** The admin's addresses a browser can dial (WebSockets), each ending in /p2p/<peer id>. */
  admin: string[]
  /** Module URLs a page may load handlers from (`--browser-handlers`): any other is refused. */
  handlers: string[]
  network: string
}

/**
 * The page's Content-Security-Policy: scripts from the admin's HTTP server and from the folders of the
 * offered handler modules only; connections to the admin's WebSocket addresses and to those modules' sites
 * only (not to the admin's HTTP API: the page needs nothing from it once served). A link to /worker with a
 * module of its own cannot make the page run it, and a module cannot reach the API from the page.
 */
export function browserWorkerPolicy (config: BrowserWorkerConfig): string {
  const folders = [...new Set(config.handlers.map(u => new URL('./', u).href))]
  const origins = [...new Set(config.handlers.map(u => new URL(u).origin))]
  const sockets = [...new Set(config.admin.map(websocketOrigin).filter((o): o is string => o != null))]
  const connect = [...sockets, ...origins]
  return [
    "default-src 'none'",
    `script-src 'self' ${folders.join(' ')}`.trim(),
    `connect-src ${connect.length > 0 ? connect.join(' ') : "'none'"}`,
    "style-src 'self'",
    "img-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'"
  ].join('; ')
}

/** The config as a page's JSON script element holds it: no `<` that could end the element. */
export function configElementText (config: BrowserWorkerConfig): string {
  return JSON.stringify(config).replace(/</g, '\\u003c')
}

/** `/ip4/1.2.3.4/tcp/4002/ws/p2p/...` → `ws://1.2.3.4:4002` (IPv6 and DNS names too; wss for /wss and /tls/ws). */
export function websocketOrigin (address: string): string | undefined {
  const m = /^\/(ip4|ip6|dns|dns4|dns6)\/([^/]+)\/tcp\/(\d+)\/(tls\/ws|wss|ws)(\/|$)/.exec(address)
  if (m == null) return undefined
  const host = m[1] === 'ip6' ? `[${m[2]}]` : m[2]
  return `${m[4] === 'ws' ? 'ws' : 'wss'}://${host}:${m[3]}`
}
