/// <reference lib="dom" />
// (the functions given to page.waitForFunction and $eval run in the browser)
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Network } from '../helpers/net.js'
import { ARTIFACTS, Browser, browserRequirement, frames, graphSight } from '../helpers/browser.js'
import type { TaskManager } from '../../src/manager/task-manager.js'

const browser = browserRequirement()

/** Stages of twenty tasks, each depending on two of the stage before, each taking a few milliseconds. */
function stages (n: number): Array<Record<string, unknown>> {
  return Array.from({ length: n * 20 }, (_, i) => {
    const stage = Math.floor(i / 20)
    const k = i % 20
    return { id: `s${stage}-t${k}`, description: `stage ${stage} task ${k}`, depends_on: stage === 0 ? [] : [`s${stage - 1}-t${k}`, `s${stage - 1}-t${(k + 7) % 20}`], payload: { durationMs: 3 } }
  })
}

/** The dashboard of a network of 3 tasks, and of 2,000: sizes, paging, finding a task, and the charts. */
describe.skipIf(browser.missing != null)(`the dashboard at 3 and 2,000 tasks${browser.note}`, () => {
  let chromium: Browser
  beforeAll(async () => { chromium = await Browser.open() }, 60_000)
  afterAll(async () => { await chromium?.close() })

  async function network (tasks: Array<Record<string, unknown>>, run: (manager: TaskManager) => Promise<void>): Promise<void> {
    const net = new Network()
    try {
      const manager = await net.admin([], { listen: ['/ip4/127.0.0.1/tcp/0'], http: { port: 0 } })
      await net.worker(manager, 'w1', 5, { maxConcurrent: 8 })
      manager.submit(tasks)
      await manager.whenDone()
      await chromium.page.goto(`${manager.details().http!}/`)
      await run(manager)
      // off the page before its admin stops, so it does not report the admin gone
      await chromium.page.goto('about:blank')
    } finally {
      await net.stop()
    }
  }

  it('draws 3 tasks at a comfortable size, neither tiny nor huge', async () => {
    const page = chromium.page
    await network([
      { id: 'fetch', description: 'fetch data' },
      { id: 'clean', description: 'clean data', depends_on: ['fetch'] },
      { id: 'report', description: 'write the report', depends_on: ['clean'] }
    ], async () => {
      await page.waitForFunction(() => document.querySelector('#graph')?.getAttribute('data-states') === 'succeeded,succeeded,succeeded')
      const sight = await graphSight(page)
      expect(sight.visible).toBe(3)
      expect(sight.labelPx).toBeGreaterThanOrEqual(10)
      expect(sight.labelPx).toBeLessThanOrEqual(20)
      expect(await page.textContent('#tasks-range')).toBe('1–3 of 3')
      await mkdir(ARTIFACTS, { recursive: true })
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-3.png'), fullPage: true })
    })
    expect(chromium.errors).toEqual([])
  })

  it('keeps the labels of a 40-step pipeline readable, fitted or zoomed out, since fewer than 60 boxes are in view', async () => {
    const page = chromium.page
    const chain = Array.from({ length: 40 }, (_, i) => ({ id: `step-${i}`, description: `step ${i} of the pipeline`, ...(i > 0 ? { depends_on: [`step-${i - 1}`] } : {}) }))
    await network(chain, async () => {
      await page.waitForFunction(() => Number(document.querySelector('#graph')?.getAttribute('data-nodes')) === 40)
      await frames(page)
      // fitted whole, 40 boxes in a row would be 3 px labels: the view starts at the first steps instead
      const fitted = await graphSight(page)
      expect(fitted.labelPx).toBeGreaterThanOrEqual(10)
      expect(fitted.visible).toBeLessThan(40)
      const box = (await page.locator('#graph').boundingBox())!
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
      for (let i = 0; i < 5; i++) {
        await page.mouse.wheel(0, 400)
        await frames(page)
        expect((await graphSight(page)).labelPx).toBeGreaterThanOrEqual(10)
      }
      await page.locator('#graph-card').screenshot({ path: join(ARTIFACTS, 'dashboard-pipeline.png') })
    })
    expect(chromium.errors).toEqual([])
  })

  it('pages and searches 2,000 tasks on the server, finds one the graph does not draw, and charts the run', async () => {
    const page = chromium.page
    await network(stages(100), async manager => {
      await page.waitForFunction(() => document.querySelector('#tasks-range')?.textContent === '1–50 of 2,000')
      expect(await page.$$eval('#tasks tr[data-task]', rows => rows.length)).toBe(50)
      await page.click('#tasks-next')
      await page.waitForFunction(() => document.querySelector('#tasks-range')?.textContent === '51–100 of 2,000')
      expect(await page.$eval('#tasks tr[data-task]', row => row.getAttribute('data-task'))).toBe('s2-t10')
      // the search runs on the server: the page holds 50 rows, the match is the 1,990th task
      await page.fill('#text-filter', 'stage 99 task 9')
      await page.waitForFunction(() => document.querySelector('#tasks-range')?.textContent?.startsWith('1–1 of 1 · as of ') === true)
      expect(await page.$eval('#tasks tr[data-task]', row => row.getAttribute('data-task'))).toBe('s99-t9')
      await page.selectOption('#state-filter', 'failed')
      await page.waitForFunction(() => document.querySelector('#tasks-range')?.textContent?.startsWith('0–0 of 0') === true)
      await page.selectOption('#state-filter', '')
      await page.fill('#text-filter', '')

      // the graph draws the first 500; a task past them is drawn with its neighbours when asked for
      await page.waitForFunction(() => Number(document.querySelector('#graph')?.getAttribute('data-nodes')) === 500)
      expect(await page.textContent('#graph-note')).toMatch(/the first 500 tasks/)
      await mkdir(ARTIFACTS, { recursive: true })
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-2000.png'), fullPage: true })
      await page.fill('#find-id', 's99-t9')
      await page.click('#find button')
      await page.waitForSelector('#task-panel[open]')
      await page.keyboard.press('Escape')
      await page.waitForFunction(() => !(document.querySelector('#task-panel') as HTMLDialogElement).open)
      await page.waitForFunction(() => Number(document.querySelector('#graph')?.getAttribute('data-nodes')) === 3)
      const around = await graphSight(page)
      expect(around.labelPx).toBeGreaterThanOrEqual(10)
      expect(await page.textContent('#graph-note')).toMatch(/s99-t9, what it depends on/)
      await page.locator('#graph-card').screenshot({ path: join(ARTIFACTS, 'dashboard-2000-found.png') })
      await page.click('#graph-all')
      await page.waitForFunction(() => Number(document.querySelector('#graph')?.getAttribute('data-nodes')) === 500)
      // an unknown id is said beside the search box (the browser logs the API's 404 too)
      await page.fill('#find-id', 'nope')
      await page.click('#find button')
      await page.waitForFunction(() => document.querySelector('#find-error')?.textContent?.includes('nope') === true)
      const notFound = chromium.errors.findIndex(e => e.includes('status of 404'))
      expect(notFound).toBeGreaterThanOrEqual(0)
      chromium.errors.splice(notFound, 1)

      // the charts: the admin's last hour, with the 2,000 tasks finished in it
      await page.waitForFunction(() => Number(document.querySelector('#chart-throughput')?.getAttribute('data-points')) >= 2)
      const finished = await page.evaluate(() => (window as unknown as { taskmeshTimeline: { finishedPerSecond: number[] } }).taskmeshTimeline.finishedPerSecond)
      expect(finished.some(n => n > 0)).toBe(true)
      expect(await page.$$eval('.chart .uplot canvas', cs => cs.length)).toBe(4)
      // every task that finished is in one step: the recorder starts with the admin, before they were submitted
      await page.waitForFunction(() => (window as unknown as { taskmeshTimeline: { finished: number[] } }).taskmeshTimeline.finished.reduce((a, b) => a + b, 0) === 2000)
      const served = await (await fetch(`${manager.details().http!}/api/timeline`)).json() as { finished: number[], workers: number[] }
      expect(served.finished.reduce((a, b) => a + b, 0)).toBe(2000)
      expect(served.workers.at(-1)).toBe(1)
    })
    expect(chromium.errors).toEqual([])
  })
})
