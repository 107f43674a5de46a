import { generatedScenario, tutorialScenario, withLateJoin } from '../../simulation/scenario.js'
import { runSimulation } from '../../simulation/run.js'
import { EXIT_FAILED, EXIT_OK } from '../exit-codes.js'
import { count, formatMs, Output } from '../output.js'
import { printSummary, reportAdminEvents } from '../report.js'
import { resolveStrategy } from '../load-modules.js'
import type { AdminEvents } from '../../admin/events.js'

export interface SimulateOptions {
  workers?: number
  tasks?: number
  seed: number
  lateJoin?: boolean
  processes?: boolean
  strategy: string
  taskTime: { min: number, max: number }
  json?: boolean
}

export async function runSimulate (opts: SimulateOptions): Promise<void> {
  const out = new Output({ json: opts.json === true })
  const generated = opts.workers != null || opts.tasks != null
  let scenario = generated
    ? generatedScenario({ workers: opts.workers ?? 3, tasks: opts.tasks ?? 10, seed: opts.seed })
    : tutorialScenario()
  if (opts.lateJoin === true) scenario = withLateJoin(scenario)
  const strategy = await resolveStrategy(opts.strategy)
  const early = scenario.workers.filter(w => w.lateJoin !== true)

  out.say(`${generated ? 'simulation' : 'the tutorial'}: ${count(scenario.tasks.length, 'task')}, ${count(scenario.workers.length, 'worker')}${opts.processes === true ? ' (one process each)' : ''}, strategy ${opts.strategy}`)
  for (const w of scenario.workers) out.say(`  ${w.name.padEnd(14)} skill ${w.skill}${w.lateJoin === true ? '  (joins late)' : ''}`)
  out.event('simulation', { tasks: scenario.tasks.length, workers: scenario.workers.map(w => ({ name: w.name, skill: w.skill, lateJoin: w.lateJoin === true })), strategy: opts.strategy, processes: opts.processes === true })

  // the reporter subscribes like any listener of an admin; the simulation forwards every admin event to it
  const relay = new EventTarget()
  const skills = reportAdminEvents(relay as never, out, { expectedWorkers: early.length })
  out.startProgress(scenario.tasks.length)
  const result = await runSimulation({
    scenario,
    strategy,
    processes: opts.processes === true,
    durationMs: opts.taskTime,
    onLateJoin: (late, waiting) => {
      out.say(`waiting: ${waiting.map(t => `task ${t.id} (difficulty ${t.difficulty})`).join(', ')} — no connected worker has the skill`)
      out.say(`${late.map(w => `${w.name} (skill ${w.skill})`).join(', ')} joins now`)
    },
    onEvent: <K extends keyof AdminEvents>(name: K, detail: AdminEvents[K]['detail']) => { relay.dispatchEvent(new CustomEvent(name, { detail })) }
  })
  for (const w of scenario.workers) skills.set(w.name, w.skill)
  printSummary(out, result.summary, skills, { elapsedMs: Math.round(result.elapsedMs) })
  out.say(`done in ${formatMs(result.elapsedMs)}`)
  process.exitCode = result.summary.succeeded === result.summary.total ? EXIT_OK : EXIT_FAILED
}
