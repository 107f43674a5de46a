import { readFile } from 'node:fs/promises'
import { BROWSER_WORKER_CONFIG_ID, BROWSER_WORKER_PATH, BROWSER_WORKER_SCRIPT_PATH, browserWorkerPolicy, configElementText, type BrowserWorkerConfig } from './browser-worker.js'
import type { Asset } from './dashboard.js'
import type { FastifyInstance } from 'fastify'

export interface BrowserWorkerOptions {
  /** The admin's addresses now (those a browser can dial, WebSockets, are given to the page). */
  addresses: () => string[]
  /** Module URLs a page may load handlers from. @default none: the built-in simulate handler only */
  handlers?: string[]
  network: string
}

/** The paths a browser worker loads without the HTTP token: the page holds no data, and joins as any worker does. */
export const BROWSER_WORKER_OPEN_PATHS = [BROWSER_WORKER_PATH, BROWSER_WORKER_SCRIPT_PATH]

/** What a page is given: the admin's WebSocket addresses, the handler modules offered, the network. */
export function browserWorkerConfig (options: BrowserWorkerOptions): BrowserWorkerConfig {
  return {
    admin: options.addresses().filter(a => /\/(ws|wss)(\/|$)/.test(a) && !a.includes('/p2p-circuit')),
    handlers: options.handlers ?? [],
    network: options.network
  }
}

/**
 * Serves the browser worker: the page (`/worker`, under a Content-Security-Policy that lets it run only
 * the bundled worker and the handler modules the admin offers, with what it needs to join written in it)
 * and its script.
 * The worker itself goes through the admin's libp2p door, WebSockets, with every check a worker gets.
 */
export async function serveBrowserWorker (app: FastifyInstance, page: Asset, options: BrowserWorkerOptions): Promise<void> {
  // dist/browser/worker.js, made by `npm run build` (two levels up from src/http/ and dist/http/)
  const script = await readFile(new URL('../../dist/browser/worker.js', import.meta.url)).catch(() => undefined)
  const template = page.body.toString('utf8')
  const placeholder = `<script type="application/json" id="${BROWSER_WORKER_CONFIG_ID}">{}</script>`
  if (!template.includes(placeholder)) throw new Error(`dashboard/worker.html has no ${placeholder}`)
  // the page is written with what it needs to join: the admin's addresses now, the modules offered
  const servePage = async (_req: unknown, reply: any): Promise<unknown> => {
    const config = browserWorkerConfig(options)
    return await reply
      .type(page.type)
      .header('cache-control', 'no-store')
      .header('content-security-policy', browserWorkerPolicy(config))
      .header('x-content-type-options', 'nosniff')
      .send(template.replace(placeholder, () => placeholder.replace('{}', () => configElementText(config))))
  }
  app.get(BROWSER_WORKER_PATH, servePage)
  app.get('/worker.html', servePage)
  app.get(BROWSER_WORKER_SCRIPT_PATH, async (_req, reply) => {
    if (script == null) return await reply.code(404).type('text/plain').send('the browser worker is not built: run npm run build in the taskmesh package')
    return await reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(script)
  })
}
