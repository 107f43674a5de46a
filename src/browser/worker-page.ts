/// <reference lib="dom" />
// The browser worker: the page at /worker on the admin's HTTP server joins the network as a worker, over
// WebSockets, with Noise and Yamux and the same task protocol as every other worker (WorkerService).
// Bundled for the browser by scripts/bundle-browser.mjs; the node: modules it reaches are shims/.
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p, type Libp2p } from 'libp2p'
import { fromString, toString } from 'uint8arrays'
import { simulate, type TaskHandler } from '../worker/handlers.js'
import { WorkerService } from '../worker/worker-service.js'
import { BROWSER_WORKER_CONFIG_ID, type BrowserWorkerConfig } from '../http/browser-worker.js'
import { WorkerView } from './worker-view.js'
import type { PrivateKey } from '@libp2p/interface'

const KEY_ITEM = 'taskmesh-worker-key'

/** The worker's identity, kept in this browser's storage for this site: the same peer id on every visit. */
async function workerKey (): Promise<PrivateKey> {
  const kept = localStorage.getItem(KEY_ITEM)
  if (kept != null) {
    try {
      return privateKeyFromProtobuf(fromString(kept, 'base64pad'))
    } catch {
      // not a key: a new one replaces it
    }
  }
  const key = await generateKeyPair('Ed25519')
  localStorage.setItem(KEY_ITEM, toString(privateKeyToProtobuf(key), 'base64pad'))
  return key
}

/** The admin's WebSocket addresses, the one on the host this page came from first. */
function adminAddresses (config: BrowserWorkerConfig): string[] {
  const here = config.admin.filter(a => a.includes(`/${location.hostname}/`))
  return [...here, ...config.admin.filter(a => !here.includes(a))]
}

/**
 * The handlers of a module the admin offers (`--browser-handlers`): its exported functions by task type,
 * as a worker's `--handlers` module. A page may load only those: a link cannot make it run other code.
 */
async function loadHandlers (url: string, config: BrowserWorkerConfig): Promise<Record<string, TaskHandler>> {
  const absolute = new URL(url, location.href).href
  if (!config.handlers.includes(absolute)) throw new Error(`handlers ${absolute}: not offered by this admin (it offers ${config.handlers.length === 0 ? 'none: start it with --browser-handlers URL' : config.handlers.join(', ')})`)
  const module = await import(/* @vite-ignore */ absolute) as Record<string, unknown>
  const source = (module.default != null && typeof module.default === 'object' ? module.default : module) as Record<string, unknown>
  return Object.fromEntries(Object.entries(source).filter((entry): entry is [string, TaskHandler] => typeof entry[1] === 'function'))
}

async function main (): Promise<void> {
  const view = new WorkerView(document)
  const params = new URLSearchParams(location.search)
  const config = JSON.parse(document.getElementById(BROWSER_WORKER_CONFIG_ID)?.textContent ?? '{}') as BrowserWorkerConfig
  if (!Array.isArray(config.admin)) throw new Error('this page was not served by a taskmesh admin: open /worker on the admin\'s HTTP server')
  if (config.admin.length === 0) {
    view.fail('this admin listens on no WebSocket address, so browsers cannot reach it: start it with --listen /ip4/0.0.0.0/tcp/4002/ws as well')
    return
  }
  const key = await workerKey()
  view.identity(config, key.publicKey.toString())
  const settings = await view.settings(params, config)
  const handlers: Record<string, TaskHandler> = { simulate: simulate({ minMs: settings.simulateMs, maxMs: settings.simulateMs }) }
  if (settings.handlers != null) Object.assign(handlers, await loadHandlers(settings.handlers, config))
  const node: Libp2p<{ worker: WorkerService }> = await createLibp2p({
    privateKey: key,
    start: false,
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux({ enableKeepAlive: false })],
    // a browser refuses to dial private addresses by default; the admin's are what the page was given
    connectionGater: { denyDialMultiaddr: () => false },
    connectionMonitor: { enabled: false },
    services: {
      identify: identify(),
      ping: ping(),
      worker: (components: any) => new WorkerService(components, {
        name: settings.name,
        skill: settings.skill,
        capabilities: settings.capabilities,
        maxConcurrent: settings.maxConcurrent,
        admin: adminAddresses(config),
        network: config.network,
        handlers
      })
    }
  }) as unknown as Libp2p<{ worker: WorkerService }>
  view.follow(node.services.worker, Object.keys(handlers))
  await node.start()
  // closing the tab hands the running tasks back at once: the admin hears the stream close
  addEventListener('pagehide', () => { void node.services.worker.stop().finally(() => { void node.stop() }) })
  // a page kept in the back-forward cache comes back stopped: it joins again as a fresh load
  addEventListener('pageshow', event => { if (event.persisted) location.reload() })
}

main().catch(err => {
  const text = err instanceof Error ? err.message : String(err)
  const box = document.getElementById('problem')
  if (box != null) {
    box.textContent = text
    box.hidden = false
  }
  console.error(text)
})
