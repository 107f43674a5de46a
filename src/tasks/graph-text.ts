import type { TaskSpec, TaskState } from '../core/task.js'

export type GraphFormat = 'mermaid' | 'dot'

/** How a task is drawn: its spec, and its state when known (a running admin's graph). */
export interface GraphNode {
  spec: TaskSpec
  state?: TaskState
}

const COLORS: Record<TaskState, string> = {
  waiting: '#d0d7de',
  ready: '#ddf4ff',
  delayed: '#fff8c5',
  running: '#54aeff',
  succeeded: '#4ac26b',
  failed: '#ff8182',
  skipped: '#eaeef2',
  cancelled: '#c0c0c0'
}

/**
 * The dependency graph as text for Mermaid or Graphviz: one node per task (id, description, difficulty,
 * pin, required capabilities), an arrow from each dependency to its dependent, states coloured when known.
 */
export function renderGraph (nodes: readonly GraphNode[], format: GraphFormat): string {
  return format === 'dot' ? dot(nodes) : mermaid(nodes)
}

function label (spec: TaskSpec, state?: TaskState): string {
  const parts = [spec.id]
  if (spec.description !== '') parts.push(spec.description)
  const facts: string[] = []
  if (spec.difficulty > 0) facts.push(`difficulty ${spec.difficulty}`)
  if (spec.priority !== 5) facts.push(`priority ${spec.priority}`)
  if (spec.worker != null) facts.push(`on ${spec.worker}`)
  if (spec.requires.length > 0) facts.push(`needs ${spec.requires.join(', ')}`)
  if (state != null) facts.push(state)
  if (facts.length > 0) parts.push(facts.join(', '))
  return parts.join('\n')
}

function mermaid (nodes: readonly GraphNode[]): string {
  const ids = new Map(nodes.map((n, i) => [n.spec.id, `t${i}`]))
  const esc = (s: string): string => s.replace(/"/g, '#quot;').replace(/\n/g, '<br/>')
  const lines = ['flowchart LR']
  for (const { spec, state } of nodes) lines.push(`  ${ids.get(spec.id)}["${esc(label(spec, state))}"]`)
  for (const { spec } of nodes) {
    for (const dep of spec.dependsOn) {
      const from = ids.get(dep)
      if (from != null) lines.push(`  ${from} --> ${ids.get(spec.id)}`)
    }
  }
  const states = [...new Set(nodes.flatMap(n => n.state != null ? [n.state] : []))]
  for (const state of states) {
    lines.push(`  classDef ${state} fill:${COLORS[state]}`)
    lines.push(`  class ${nodes.filter(n => n.state === state).map(n => ids.get(n.spec.id)).join(',')} ${state}`)
  }
  return lines.join('\n') + '\n'
}

function dot (nodes: readonly GraphNode[]): string {
  const q = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`
  const known = new Set(nodes.map(n => n.spec.id))
  const lines = ['digraph tasks {', '  rankdir=LR;', '  node [shape=box, style="rounded,filled", fillcolor="#ffffff"];']
  for (const { spec, state } of nodes) {
    lines.push(`  ${q(spec.id)} [label=${q(label(spec, state))}${state != null ? `, fillcolor=${q(COLORS[state])}` : ''}];`)
  }
  for (const { spec } of nodes) {
    for (const dep of spec.dependsOn) if (known.has(dep)) lines.push(`  ${q(dep)} -> ${q(spec.id)};`)
  }
  lines.push('}')
  return lines.join('\n') + '\n'
}
