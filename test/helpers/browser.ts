/// <reference lib="dom" />
// (the functions given to page.evaluate run in the browser)
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { executableMissing, requirement } from './system.js'

export const CHROMIUM = '/usr/bin/chromium'
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url))
/** Whether the dashboard tests can run here: they need Debian's Chromium (installed by .ci/run). */
export const browserRequirement = (): ReturnType<typeof requirement> => requirement('the dashboard test', executableMissing(CHROMIUM, 'install Debian\'s "chromium" package (apt-get install chromium)'))

/** A headless Chromium page with a fresh profile; its errors (uncaught or console.error) are collected. */
export class Browser {
  readonly errors: string[] = []
  private constructor (readonly context: BrowserContext, readonly page: Page, private readonly profile: string) {}

  /** The networking flags keep Chromium from trying to reach hosts these machines cannot reach. */
  static async open (viewport = { width: 1280, height: 1100 }): Promise<Browser> {
    const profile = await mkdtemp(join(tmpdir(), 'taskmesh-chromium-'))
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport
    })
    const page = context.pages()[0] ?? await context.newPage()
    const browser = new Browser(context, page, profile)
    page.on('pageerror', err => { browser.errors.push(err.message) })
    page.on('console', msg => { if (msg.type() === 'error') browser.errors.push(msg.text()) })
    return browser
  }

  async close (): Promise<void> {
    await this.context.close()
    await rm(this.profile, { recursive: true, force: true })
  }
}

/** The graph as the page shows it: its zoom, a label's size on screen, and how many boxes are in view. */
export interface GraphSight {
  nodes: number
  zoom: number
  labelPx: number
  visible: number
  /** The drawn graph's share of its panel, across and down. */
  fillX: number
  fillY: number
}

export async function graphSight (page: Page): Promise<GraphSight> {
  return await page.evaluate(() => {
    const cy = (window as unknown as { taskmeshGraph: any }).taskmeshGraph
    const view = cy.extent()
    const visible = cy.nodes().filter((n: any) => {
      const b = n.boundingBox()
      return b.x2 > view.x1 && b.x1 < view.x2 && b.y2 > view.y1 && b.y1 < view.y2
    }).length
    const drawn = cy.elements().renderedBoundingBox()
    return {
      nodes: cy.nodes().length,
      zoom: cy.zoom(),
      labelPx: cy.zoom() * parseFloat(cy.nodes()[0].style('font-size')),
      visible,
      fillX: Math.min(drawn.w, cy.width()) / cy.width(),
      fillY: Math.min(drawn.h, cy.height()) / cy.height()
    }
  })
}

/** Waits until the page has drawn a frame twice (what the graph does after a zoom happens by then). */
export async function frames (page: Page): Promise<void> {
  await page.evaluate(async () => { await new Promise(resolve => { requestAnimationFrame(() => { requestAnimationFrame(resolve) }) }) })
}
