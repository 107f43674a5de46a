// The dependency graph (cytoscape, dagre layout): fills its panel, zooms and pans as cytoscape does,
// fits on demand, finds a task and shows it with its neighbours, and keeps labels readable.
import cytoscape from '/vendor/cytoscape.esm.min.mjs'
import dagre from '/vendor/cytoscape-dagre.min.mjs'
import { $, color } from './format.js'
import { get } from './api.js'

cytoscape.use(dagre)

/** A label's size in the graph's own units; on screen it is this times the zoom. */
const FONT = 12
/** The smallest label, in pixels, people read without effort. */
const READABLE_PX = 10
/** A view showing fewer boxes than this is never zoomed out past readable labels. */
const FEW_BOXES = 60
/** A fit never blows a few boxes up past this zoom. */
const MAX_FIT_ZOOM = 1.6
/** A box is its label, up to this wide (longer ones end in an ellipsis), with this much room around it. */
const MAX_LABEL = 200
const PADDING = 6
const FAMILY = 'system-ui, sans-serif'
/** The boxes drawn at most; a larger network shows its first ones, and any task on demand. */
export const GRAPH_LIMIT = 500

let cy
let drawn = ''
let around

/** Draws (or updates) the graph; lays it out again only when its tasks or dependencies changed. */
export async function renderGraph () {
  const view = await get(around != null ? `/api/graph?around=${encodeURIComponent(around)}` : `/api/graph?limit=${GRAPH_LIMIT}`)
  $('graph-note').textContent = view.around != null
    ? `(${view.around}, what it depends on and what depends on it)`
    : view.truncated ? `(the first ${view.nodes.length} tasks; find any task by its id)` : ''
  $('graph-all').hidden = view.around == null
  const shape = view.nodes.map(n => n.id).join('\n') + '|' + view.edges.map(e => `${e.from}>${e.to}`).join('\n')
  if (cy == null || shape !== drawn) {
    draw(view)
    drawn = shape
  } else {
    for (const n of view.nodes) cy.getElementById(n.id).data('state', n.state)
  }
  $('graph').dataset.nodes = String(view.nodes.length)
  $('graph').dataset.states = view.nodes.map(n => n.state).join(',')
}

/** New states of tasks the graph shows, from an update; true when one of them is not drawn. */
export function updateStates (states) {
  if (cy == null) return true
  let missing = false
  cy.batch(() => {
    for (const [id, state] of Object.entries(states)) {
      const node = cy.getElementById(id)
      if (node.empty()) missing = true
      else node.data('state', state)
    }
  })
  if (!missing) $('graph').dataset.states = cy.nodes().map(n => n.data('state')).join(',')
  return missing
}

function draw (view) {
  cy?.destroy()
  // a layered layout (dagre): dependencies flow left to right, each task a box around its label, so
  // labels never sit on edges or on each other; wheel and drag zoom and pan as cytoscape does by default
  cy = cytoscape({
    container: $('graph'),
    elements: [
      ...view.nodes.map(n => ({ data: { id: n.id, label: n.label, state: n.state, width: labelWidth(n.label) + 2 * PADDING } })),
      ...view.edges.map(e => ({ data: { id: `${e.from}>${e.to}`, source: e.from, target: e.to } }))
    ],
    style: [
      { selector: 'node', style: { label: 'data(label)', shape: 'round-rectangle', width: 'data(width)', height: FONT + 2 * PADDING, 'font-size': FONT, 'font-family': FAMILY, 'text-wrap': 'ellipsis', 'text-max-width': MAX_LABEL, 'text-valign': 'center', 'text-halign': 'center', color: '#1f2328', 'background-color': el => color(el.data('state')), 'border-width': 1, 'border-color': '#57606a' } },
      { selector: 'node[state = "skipped"], node[state = "cancelled"]', style: { 'border-style': 'dashed' } },
      { selector: 'node[state = "failed"]', style: { 'border-width': 2, 'border-color': '#a40e26' } },
      { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#0969da' } },
      { selector: 'edge', style: { width: 1.2, 'line-color': '#8c959f', 'target-arrow-color': '#8c959f', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier' } }
    ],
    layout: { name: 'dagre', rankDir: 'LR', nodeSep: 8, rankSep: 48, edgeSep: 6, nodeDimensionsIncludeLabels: true, padding: 12 }
  })
  $('graph').dataset.layout = 'dagre'
  // the panel takes the graph's proportions (within limits), so a fit fills it rather than its middle third
  const box = cy.elements().boundingBox()
  const width = $('graph').clientWidth
  const height = Math.round(Math.min(Math.max(width * box.h / Math.max(box.w, 1), 320), window.innerHeight * 0.75))
  $('graph').style.height = `${height}px`
  cy.resize()
  fit()
  let pending = false
  cy.on('viewport', () => {
    if (pending) return
    pending = true
    requestAnimationFrame(() => { pending = false; keepReadable() })
  })
  cy.on('tap', 'node', e => { $('graph').dispatchEvent(new CustomEvent('task', { detail: e.target.id() })) })
  // the graph object, for the browser's console (and the dashboard's test)
  window.taskmeshGraph = cy
}

const measure = document.createElement('canvas').getContext('2d')
/** How wide a label is drawn, as cytoscape draws it (its font, at FONT in graph units). */
function labelWidth (label) {
  measure.font = `${FONT}px ${FAMILY}`
  return Math.min(Math.ceil(measure.measureText(label).width), MAX_LABEL)
}

/** The whole graph in view, no larger than a comfortable size, and readable when it has few boxes. */
export function fit () {
  if (cy == null) return
  cy.fit(undefined, 16)
  if (cy.zoom() > MAX_FIT_ZOOM) {
    cy.zoom(MAX_FIT_ZOOM)
    cy.center()
  }
  keepReadable()
}

/** Boxes at least partly in view. */
function visibleBoxes () {
  const view = cy.extent()
  return cy.nodes().filter(n => {
    const b = n.boundingBox()
    return b.x2 > view.x1 && b.x1 < view.x2 && b.y2 > view.y1 && b.y1 < view.y2
  }).length
}

/** A view of few boxes with labels too small to read is zoomed in (around its middle) until they are readable. */
function keepReadable () {
  if (cy.zoom() * FONT >= READABLE_PX || visibleBoxes() >= FEW_BOXES) return
  const middle = { x: cy.width() / 2, y: cy.height() / 2 }
  cy.zoom({ level: READABLE_PX / FONT, renderedPosition: middle })
  // zoomed in around the middle of a wide graph, start from its first tasks
  if (cy.nodes().length < FEW_BOXES) {
    const first = cy.nodes().min(n => n.position('x')).ele
    cy.pan({ x: 16 - first.boundingBox().x1 * cy.zoom(), y: cy.pan().y })
  }
}

/** Shows a task with what it depends on and what depends on it, at a readable size; draws them when not drawn. */
export async function focus (id) {
  let node = cy?.getElementById(id)
  if (node == null || node.empty()) {
    around = id
    await renderGraph()
    node = cy.getElementById(id)
  }
  cy.nodes().unselect()
  node.select()
  cy.fit(node.closedNeighborhood(), 40)
  if (cy.zoom() > MAX_FIT_ZOOM) cy.zoom({ level: MAX_FIT_ZOOM, position: node.position() })
  if (cy.zoom() * FONT < READABLE_PX) cy.zoom({ level: READABLE_PX / FONT, position: node.position() })
  cy.center(node)
}

$('graph-fit').addEventListener('click', fit)
$('graph-all').addEventListener('click', () => { around = undefined; void renderGraph() })
