// Charts over the last hour (uPlot), from the ring buffer the admin keeps (/api/timeline, a point a second):
// tasks finished per second, the queue by state, wait and run times (p50, p99), workers online.
import uPlot from '/vendor/uPlot.esm.js'
import { $, color, duration } from './format.js'
import { get } from './api.js'

const HOUR_S = 3600
const CHARTS = [
  { id: 'chart-throughput', title: 'tasks finished per second', series: [{ key: 'finishedPerSecond', label: 'finished/s', stroke: () => color('succeeded'), fill: 'rgba(74,194,107,.15)' }] },
  {
    id: 'chart-queue',
    title: 'tasks by state',
    series: ['waiting', 'ready', 'delayed', 'running'].map(state => ({ key: state, label: state, stroke: () => state === 'waiting' ? '#8c959f' : color(state) }))
  },
  {
    id: 'chart-times',
    title: 'wait and run time',
    time: true,
    series: [
      { key: 'waitP50', label: 'wait p50', stroke: () => '#bf8700' },
      { key: 'waitP99', label: 'wait p99', stroke: () => '#bf8700', dash: [4, 4] },
      { key: 'runP50', label: 'run p50', stroke: () => '#0969da' },
      { key: 'runP99', label: 'run p99', stroke: () => '#0969da', dash: [4, 4] }
    ]
  },
  { id: 'chart-workers', title: 'workers online', series: [{ key: 'workers', label: 'workers', stroke: () => '#8250df' }] }
]

const data = { at: [] }
// the charts' data, for the browser's console (and the dashboard's test)
window.taskmeshTimeline = data
const plots = new Map()
let last

/** Reads the points after the last one drawn (all of them the first time) and draws every chart again. */
export async function renderCharts () {
  const columns = await get(`/api/timeline${last != null ? `?since=${last}` : ''}`)
  if (columns.at.length === 0 && plots.size > 0) return
  for (const [key, values] of Object.entries(columns)) data[key] = [...(data[key] ?? []), ...values]
  // an hour at most, like the admin's buffer
  const keep = data.at.findIndex(at => at > data.at.at(-1) - HOUR_S * 1000)
  if (keep > 0) for (const key of Object.keys(data)) data[key] = data[key].slice(keep)
  last = data.at.at(-1) ?? last
  $('charts-note').textContent = data.at.length < 2 ? '(a point a second: the charts begin in a moment)' : ''
  const xs = data.at.map(ms => ms / 1000)
  for (const chart of CHARTS) {
    const ys = chart.series.map(s => data[s.key] ?? [])
    const plot = plots.get(chart.id)
    if (plot != null) {
      plot.setData([xs, ...ys])
    } else {
      plots.set(chart.id, new uPlot(options(chart), [xs, ...ys], $(chart.id)))
    }
    $(chart.id).dataset.points = String(xs.length)
    $(chart.id).dataset.latest = chart.series.map(s => data[s.key]?.at(-1) ?? '').join(',')
  }
}

function options (chart) {
  const width = Math.max(240, $(chart.id).clientWidth)
  return {
    title: chart.title,
    width,
    height: 170,
    cursor: { drag: { x: true, y: false } },
    series: [{}, ...chart.series.map(s => ({ label: s.label, stroke: s.stroke(), width: 1.5, ...(s.fill != null ? { fill: s.fill } : {}), ...(s.dash != null ? { dash: s.dash } : {}), ...(chart.time ? { value: (_u, v) => v == null ? '–' : duration(v) } : {}) }))],
    axes: [{}, { size: 60, ...(chart.time ? { values: (_u, ticks) => ticks.map(v => duration(v)) } : {}) }]
  }
}

// the charts follow the width of their panel
addEventListener('resize', () => {
  for (const chart of CHARTS) plots.get(chart.id)?.setSize({ width: Math.max(240, $(chart.id).clientWidth), height: 170 })
})
