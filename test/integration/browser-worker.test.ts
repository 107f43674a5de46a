import { createServer, request, type Server } from 'node:http'
import { once } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, browserRequirement } from '../helpers/browser.js'
import { cliProcesses, type CliProcess } from '../helpers/cli.js'

const fixture = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname
const unavailable = browserRequirement().missing

// Chromium opens the admin's /worker page: a browser tab joins as a worker over WebSockets.
describe.runIf(unavailable == null)(`browser tabs as workers${unavailable != null ? ` (skipped: ${unavailable})` : ''}`, () => {
  let chromium: Browser
  const processes = cliProcesses()

  beforeAll(async () => {
    chromium = await Browser.open({ width: 1000, height: 800 })
  })
  afterAll(async () => {
    await chromium?.close()
  })

  async function startAdmin (args: string[] = []): Promise<{ admin: CliProcess, http: string, tcp: string }> {
    // a lease far longer than the test: a task comes back from a closed tab only because the tab's stream closed
    const admin = processes.start(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/ws', '--http', '0', '--lease-ttl', '600', '--json', ...args])
    const listening = await admin.waitForEvent('listening')
    const addrs = listening.addrs as string[]
    expect(addrs.some(a => a.includes('/ws/p2p/'))).toBe(true)
    return { admin, http: listening.http as string, tcp: addrs.find(a => !a.includes('/ws/'))! }
  }

  it('joins from /worker?name=&skill= at once, runs the tutorial, and keeps its peer id across visits', async () => {
    const { admin, http } = await startAdmin(['--tasks', fixture('tutorial.json'), '--expected-workers', '1'])
    const page = chromium.page
    await page.goto(`${http}/worker?name=tab&skill=9`)
    const connected = await admin.waitForEvent('worker:connected', e => e.name === 'tab')
    // the page shows the identity the admin sees, and that it is connected
    await page.waitForFunction(() => document.getElementById('state')?.dataset.state === 'connected')
    expect(await page.textContent('#peer-id')).toBe(connected.id)
    expect(connected.via).toBe('direct')
    await admin.waitUntil(() => admin.events.filter(e => e.event === 'task:completed' && e.status === 'succeeded' && e.worker === 'tab').length === 3)
    await page.waitForFunction(() => document.querySelectorAll('#tasks tr[data-state="succeeded"]').length === 3)
    expect(await page.textContent('#counts')).toBe('3 succeeded, 0 failed')
    expect(await page.isHidden('#join')).toBe(true)
    // the key is kept by the browser for this site: the same peer id on the next visit
    await page.reload()
    await page.waitForFunction(() => document.getElementById('state')?.dataset.state === 'connected')
    expect(await page.textContent('#peer-id')).toBe(connected.id)
    expect(chromium.errors).toEqual([])
  })

  it('hands a running task back at once when the tab closes: it runs on another worker', async () => {
    const { admin, http, tcp } = await startAdmin()
    const tab = await chromium.context.newPage()
    // each simulated task takes ten minutes here: it is still running when the tab closes
    await tab.goto(`${http}/worker?name=tab2&skill=5&simulate_ms=600000`)
    await admin.waitForEvent('worker:connected', e => e.name === 'tab2')
    const submitted = await fetch(`${http}/api/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tasks: [{ id: 'long', type: 'simulate', difficulty: 1 }] }) })
    expect(submitted.status).toBe(201)
    await admin.waitForEvent('task:assigned', e => e.taskId === 'long' && e.worker === 'tab2')
    await tab.waitForFunction(() => document.querySelector('#tasks tr[data-state="running"]') != null)
    await tab.close()
    await admin.waitForEvent('worker:disconnected', e => e.name === 'tab2')
    const other = processes.start(['worker', '--admin', tcp, '--name', 'elsewhere', '--skill', '5', '--json'])
    await other.waitForEvent('connected')
    const done = await admin.waitForEvent('task:completed', e => e.id === 'long')
    expect(done).toMatchObject({ status: 'succeeded', worker: 'elsewhere' })
  })

  it('runs handlers from a module the admin offers (--browser-handlers), with the page\'s own types registered', async () => {
    // the module is served by another site, as a CDN or the team's own server would serve it
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' })
      res.end('export async function shout (task) { return { text: String(task.payload.text).toUpperCase(), where: typeof window } }\nexport const notAHandler = 42\n')
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const module = `http://127.0.0.1:${(server.address() as { port: number }).port}/handlers.js`
    try {
      const { admin, http } = await startAdmin(['--browser-handlers', module])
      const page = await chromium.context.newPage()
      await page.goto(`${http}/worker?name=shouter&skill=1&handlers=${encodeURIComponent(module)}`)
      const connected = await admin.waitForEvent('worker:connected', e => e.name === 'shouter')
      expect(connected.types).toEqual(['shout', 'simulate'])
      expect(await page.textContent('#types')).toBe('simulate, shout')
      await fetch(`${http}/api/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tasks: [{ id: 'hello', type: 'shout', payload: { text: 'hello' } }] }) })
      const done = await admin.waitForEvent('task:completed', e => e.id === 'hello')
      expect(done).toMatchObject({ status: 'succeeded', worker: 'shouter' })
      const task = await (await fetch(`${http}/api/tasks/hello`)).json() as { output: unknown }
      expect(task.output).toEqual({ text: 'HELLO', where: 'object' })
      await page.close()
    } finally {
      server.close()
    }
  })

  it('takes browsers on its WebSocket door only from its own page: another site\'s page is refused before libp2p', async () => {
    const { admin, http } = await startAdmin()
    const listening = admin.events.find(e => e.event === 'listening')!
    const ws = (listening.addrs as string[]).find(a => a.includes('/ws/'))!
    const port = Number(/\/tcp\/(\d+)\/ws/.exec(ws)![1])
    const upgrade = async (origin?: string): Promise<number> => await new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...(origin != null ? { origin } : {}) } })
      req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode!) })
      req.on('response', res => { res.resume(); resolve(res.statusCode!) })
      req.on('error', reject)
      req.end()
    })
    expect(await upgrade('https://attacker.example')).toBe(403)
    expect(await upgrade('http://rebound.example:' + new URL(http).port)).toBe(403)
    expect(await upgrade(new URL(http).origin)).toBe(101)
    expect(await upgrade()).toBe(101)
    // and in a browser: a page of another site cannot open it
    const other: Server = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<!doctype html><title>elsewhere</title>') })
    other.listen(0, '127.0.0.1')
    await once(other, 'listening')
    try {
      const page = await chromium.context.newPage()
      await page.goto(`http://127.0.0.1:${(other.address() as { port: number }).port}/`)
      const outcome = await page.evaluate(async (url) => await new Promise<string>(resolve => {
        const socket = new WebSocket(url)
        socket.onopen = () => { resolve('open') }
        socket.onerror = () => { resolve('refused') }
      }), `ws://127.0.0.1:${port}`)
      expect(outcome).toBe('refused')
      await page.close()
    } finally {
      other.close()
    }
  })

  it('shows a form when the link says nothing, and refuses a handler module the admin does not offer', async () => {
    const { http } = await startAdmin()
    const page = await chromium.context.newPage()
    const errors: string[] = []
    page.on('console', msg => { if (msg.type() === 'error') errors.push(msg.text()) })
    await page.goto(`${http}/worker`)
    expect(await page.isVisible('#join')).toBe(true)
    expect(await page.textContent('#state')).toBe('starting')
    // a link cannot make the page run code of its own choosing
    await page.goto(`${http}/worker?name=x&skill=1&handlers=${encodeURIComponent('https://attacker.invalid/steal.js')}`)
    await page.waitForFunction(() => document.getElementById('problem')?.hidden === false)
    expect(await page.textContent('#problem')).toMatch(/handlers https:\/\/attacker\.invalid\/steal\.js: not offered by this admin \(it offers none: start it with --browser-handlers URL\)/)
    await page.close()
    expect(errors.join('\n')).toMatch(/not offered by this admin/)
  })
})
