/// <reference lib="dom" />
// (the functions given to page.waitForFunction and $eval run in the browser)
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Network, nextEvent } from '../helpers/net.js'
import { ARTIFACTS, Browser, browserRequirement, frames, graphSight } from '../helpers/browser.js'
import type { Page } from 'playwright-core'
import type { TaskManager } from '../../src/manager/task-manager.js'

const browser = browserRequirement()

/** The dashboard in a real headless Chromium (Debian's, installed by .ci/run); the profile is fresh every run. */
describe.skipIf(browser.missing != null)(`the live dashboard${browser.note}`, () => {
  const net = new Network()
  let manager: TaskManager
  let chromium: Browser
  let page: Page
  let pageErrors: string[]

  beforeAll(async () => {
    manager = await net.admin([], {
      listen: ['/ip4/127.0.0.1/tcp/0'],
      name: 'build farm',
      http: { port: 0 },
      monitoring: { intervalMs: 100, thresholds: { taskDuration: 0.5 } },
      retention: { finishedMs: 30 * 86_400_000, finishedCount: 100_000 }
    })
    await net.worker(manager, 'Junior', 3, { statusIntervalMs: 200 })
    await net.worker(manager, 'Intermediate', 6, { capabilities: ['python'], statusIntervalMs: 200 })
    await net.worker(manager, 'Senior', 9, { capabilities: ['gpu', 'python'], maxConcurrent: 2, statusIntervalMs: 200 })
    chromium = await Browser.open()
    page = chromium.page
    pageErrors = chromium.errors
  }, 60_000)

  afterAll(async () => {
    await chromium?.close()
    await net.stop()
  })

  it('shows the workers, follows a workflow to 100%, draws its graph, and shows alerts', async () => {
    await page.goto(`${manager.details().http!}/`)
    await page.waitForSelector('#live[data-live="yes"]')
    await page.waitForFunction(() => document.querySelectorAll('#workers tr[data-worker]').length === 3)
    const workers = await page.$$eval('#workers tr[data-worker]', rows => rows.map(r => [...r.querySelectorAll('td')].map(td => td.textContent)))
    expect(workers.map(w => w[0]).sort()).toEqual(['Intermediate', 'Junior', 'Senior'])
    expect(workers.find(w => w[0] === 'Senior')!.slice(1, 3)).toEqual(['9', 'gpu, python'])
    expect(await page.textContent('#admin')).toMatch(/^build farm · 12D3/)
    expect(await page.textContent('#retention')).toBe('finished tasks kept 30 d 0 h, the newest 100,000 · 0 dropped')

    // a schedule: shown with its next firing once tasks are added, paused with its button
    manager.schedules.put({ name: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Paris', task: { type: 'report' } })

    // a workflow that takes a little while, so the page follows it live
    const done = nextEvent(manager, 'done')
    manager.submit([
      { id: 'fetch', description: 'fetch data', difficulty: 2, payload: { durationMs: 150 } },
      { id: 'clean', description: 'clean data', difficulty: 3, depends_on: ['fetch'], payload: { durationMs: 150 } },
      { id: 'features', description: 'features', difficulty: 5, requires: ['python'], depends_on: ['clean'], payload: { durationMs: 150 } },
      { id: 'train', description: 'train model', difficulty: 8, requires: ['gpu'], depends_on: ['features'], payload: { durationMs: 150 } },
      { id: 'report', description: 'report', difficulty: 1, depends_on: ['clean'], payload: { durationMs: 100 } },
      { id: 'publish', description: 'publish', difficulty: 2, depends_on: ['train', 'report'], payload: { durationMs: 50 } }
    ])
    await page.waitForFunction(() => Number(document.querySelector('#graph')?.getAttribute('data-nodes')) === 6)
    await page.waitForSelector('#schedules tr[data-schedule="nightly"]')
    expect(await page.textContent('#schedules tr[data-schedule="nightly"]')).toMatch(/nightly\s*cron 0 2 \* \* \* \(Europe\/Paris\)\s*report/)
    await page.click('#schedules tr[data-schedule="nightly"] button[data-action="pause"]')
    await page.waitForSelector('#schedules tr[data-schedule="nightly"] button[data-action="resume"]')
    expect(manager.schedules.get('nightly').paused).toBe(true)
    await done
    await page.waitForFunction(() => document.querySelector('#progress-percent')?.textContent === '100%')
    expect(await page.textContent('#progress-total')).toBe('6')
    expect(await page.$eval('#progress-bar', el => (el as HTMLElement).style.width)).toBe('100%')

    // the graph: drawn by the layout library on its canvas, every node coloured as succeeded
    await page.waitForFunction(() => document.querySelector('#graph')?.getAttribute('data-states') === Array(6).fill('succeeded').join(','))
    expect(await page.$$eval('#graph canvas', cs => cs.length)).toBeGreaterThan(0)
    const box = await page.$eval('#graph', el => { const r = el.getBoundingClientRect(); return { w: r.width, h: r.height } })
    expect(box.w).toBeGreaterThan(100)
    expect(box.h).toBeGreaterThan(100)

    // the task table, its search, and a task's panel: output, history, closed with Escape
    await page.waitForFunction(() => document.querySelectorAll('#tasks tr[data-task]').length === 6)
    await page.fill('#text-filter', 'train')
    await page.waitForFunction(() => document.querySelectorAll('#tasks tr[data-task]').length === 1)
    await page.click('#tasks tr[data-task="train"]')
    await page.waitForSelector('#task-panel[open]')
    const history = await page.$$eval('#history-rows tr', rows => rows.map(r => r.querySelectorAll('td')[1]!.textContent))
    expect(history).toEqual(['submitted', 'assigned', 'succeeded'])
    expect(await page.textContent('#task-title')).toBe('train: succeeded')
    expect(JSON.parse(await page.textContent('#task-output pre') ?? '')).toEqual(manager.getTask('train').output)
    expect(await page.isHidden('#task-error')).toBe(true)
    await page.keyboard.press('Escape')
    await page.waitForFunction(() => !(document.querySelector('#task-panel') as HTMLDialogElement).open)
    await page.fill('#text-filter', '')

    // a slow task raises an alert on the page; the screenshot shows it
    manager.submit([{ id: 'slow', description: 'a slow one', payload: { durationMs: 60_000 } }])
    await page.waitForSelector('#alerts li[data-alert="task_duration"]')
    expect(await page.textContent('#alerts')).toMatch(/task slow has run on \w+ for [\d.]+ s, more than 0.5 s/)
    await mkdir(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true })

    manager.cancel('slow')
    await page.waitForFunction(() => document.querySelector('#alerts li[data-alert]') == null)
    expect(pageErrors).toEqual([])
  })
  it('drains, resumes and disconnects a worker with its buttons; pauses and resumes new starts', async () => {
    await page.goto(`${manager.details().http!}/`)
    await page.waitForSelector('#live[data-live="yes"]')
    const row = '#workers tr[data-worker="Junior"]'
    await page.click(`${row} button[data-action="drain"]`)
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('draining') === true, row)
    expect(manager.workers().find(w => w.name === 'Junior')).toMatchObject({ draining: true })
    await page.click(`${row} button[data-action="resume"]`)
    await page.waitForFunction((sel) => document.querySelector(`${sel} button[data-action="drain"]`) != null, row)
    expect(manager.workers().find(w => w.name === 'Junior')).toMatchObject({ draining: false })

    // disconnect asks first; the worker agent reconnects by itself afterwards
    const left = nextEvent(manager, 'worker:disconnected', d => d.name === 'Junior')
    page.once('dialog', dialog => { void dialog.accept() })
    await page.click(`${row} button[data-action="disconnect"]`)
    expect(await left).toMatchObject({ name: 'Junior' })
    expect(await page.textContent('#workers-error')).toBe('')

    // pause asks why, and the page shows the pause with its way back
    page.once('dialog', dialog => { void dialog.accept('maintenance') })
    await page.click('#pause-all')
    await page.waitForSelector('#paused li[data-scope="all"]')
    expect(await page.textContent('#paused li')).toMatch(/paused: every task \(maintenance\)/)
    expect(manager.admin.view.pauses()).toEqual([expect.objectContaining({ scope: 'all', reason: 'maintenance' })])
    await page.click('#paused button[data-resume]')
    await page.waitForFunction(() => document.querySelector('#paused li') == null)
    expect(manager.admin.view.pauses()).toEqual([])
    expect(pageErrors).toEqual([])
  })
  it('lays a 200-task workflow out in layers: boxes apart, every dependency left to right, each state its own colour', async () => {
    // ten stages of twenty, each task depending on two of the stage before
    const tasks = Array.from({ length: 200 }, (_, i) => {
      const stage = Math.floor(i / 20)
      const k = i % 20
      return { id: `s${stage}-t${k}`, description: `stage ${stage} task ${k}`, depends_on: stage === 0 ? [] : [`s${stage - 1}-t${k}`, `s${stage - 1}-t${(k + 7) % 20}`], payload: { durationMs: 0 } }
    })
    manager.submit(tasks)
    await page.goto(`${manager.details().http!}/`)
    await page.waitForFunction(() => Number(document.querySelector('#graph')?.getAttribute('data-nodes')) >= 200)
    expect(await page.getAttribute('#graph', 'data-layout')).toBe('dagre')
    await page.waitForFunction(() => ((window as unknown as { taskmeshGraph?: { nodes(): { length: number } } }).taskmeshGraph?.nodes().length ?? 0) >= 200)
    const layout = await page.evaluate(() => {
      type Box = { x1: number, x2: number, y1: number, y2: number }
      const cy = (window as unknown as { taskmeshGraph: any }).taskmeshGraph
      const boxes: Array<Box & { id: string }> = cy.nodes().map((n: any) => ({ id: n.id(), ...n.boundingBox({ includeLabels: true }) }))
      const overlaps: string[] = []
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!
          const b = boxes[j]!
          if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) overlaps.push(`${a.id}/${b.id}`)
        }
      }
      const backwards = cy.edges().filter((e: any) => e.source().position('x') >= e.target().position('x')).map((e: any) => e.id())
      return { nodes: boxes.length, edges: cy.edges().length, overlaps, backwards }
    })
    expect(layout.nodes).toBeGreaterThanOrEqual(200)
    expect(layout.edges).toBeGreaterThanOrEqual(360)
    expect(layout.overlaps).toEqual([])
    expect(layout.backwards).toEqual([])
    // every state has a colour of its own
    const colours = await page.evaluate(() => ['waiting', 'ready', 'delayed', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'].map(s => getComputedStyle(document.documentElement).getPropertyValue(`--${s}`).trim().toLowerCase()))
    expect(new Set(colours).size).toBe(8)
    // fitted, the graph fills its panel across or down (the panel takes its proportions within limits)
    const fitted = await graphSight(page)
    expect(Math.max(fitted.fillX, fitted.fillY)).toBeGreaterThan(0.9)
    expect(Math.min(fitted.fillX, fitted.fillY)).toBeGreaterThan(0.5)
    await mkdir(ARTIFACTS, { recursive: true })
    await page.locator('#graph-card').screenshot({ path: join(ARTIFACTS, 'dashboard-graph-200.png') })

    // found by its id, a task is shown with its neighbours, labels readable
    await page.fill('#find-id', 's5-t3')
    await page.click('#find button')
    await page.waitForSelector('#task-panel[open]')
    await page.keyboard.press('Escape')
    await page.waitForFunction(() => !(document.querySelector('#task-panel') as HTMLDialogElement).open)
    const found = await graphSight(page)
    expect(found.labelPx).toBeGreaterThanOrEqual(10)
    expect(await page.evaluate(() => (window as unknown as { taskmeshGraph: any }).taskmeshGraph.$(':selected').id())).toBe('s5-t3')
    // zooming out with the wheel from there: whenever fewer than 60 boxes are in view, labels stay readable
    const box = (await page.locator('#graph').boundingBox())!
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    const sights = []
    for (let i = 0; i < 12; i++) {
      await page.mouse.wheel(0, 300)
      await frames(page)
      sights.push(await graphSight(page))
    }
    expect(sights.filter(v => v.visible < 60 && v.labelPx < 9.99)).toEqual([])
    expect(sights.at(-1)!.visible).toBeGreaterThanOrEqual(60)
    // fit: the whole graph again
    await page.click('#graph-fit')
    expect((await graphSight(page)).visible).toBe(fitted.nodes)
    expect(pageErrors).toEqual([])
  })
})
