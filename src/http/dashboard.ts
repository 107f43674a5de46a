import { readFile, readdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface Asset {
  type: string
  body: Buffer
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml'
}

/**
 * The dashboard's files: the page, its script and style (in `dashboard/` of this package) and the graph
 * libraries it draws with (cytoscape and its dagre layout for the graph, uPlot for the charts: dependencies). Read once when the server starts; there is no build step.
 */
export async function loadDashboard (): Promise<Map<string, Asset>> {
  // dashboard/ at the package root, two levels up from src/http/ and from its build in dist/http/
  const dir = fileURLToPath(new URL('../../dashboard/', import.meta.url))
  const assets = new Map<string, Asset>()
  for (const name of await readdir(dir)) {
    const type = TYPES[extname(name)]
    if (type != null) assets.set(`/${name}`, { type, body: await readFile(join(dir, name)) })
  }
  // the minified ES build sits beside the package's main file (its export map offers it only to `import`)
  const require = createRequire(import.meta.url)
  const cytoscape = join(dirname(require.resolve('cytoscape')), 'cytoscape.esm.min.mjs')
  assets.set('/vendor/cytoscape.esm.min.mjs', { type: TYPES['.mjs']!, body: await readFile(cytoscape) })
  // the layered layout (dagre, bundled in the extension's ES build)
  const dagre = join(dirname(require.resolve('cytoscape-dagre')), 'cytoscape-dagre.min.mjs')
  assets.set('/vendor/cytoscape-dagre.min.mjs', { type: TYPES['.mjs']!, body: await readFile(dagre) })
  // the charts (uPlot: its ES build and its style sheet)
  const uplot = join(dirname(require.resolve('uplot')), 'uPlot.esm.js')
  assets.set('/vendor/uPlot.esm.js', { type: TYPES['.mjs']!, body: await readFile(uplot) })
  assets.set('/vendor/uPlot.min.css', { type: TYPES['.css']!, body: await readFile(join(dirname(uplot), 'uPlot.min.css')) })
  return assets
}
