import { ValidationError, type Problem } from '../errors.js'
import { readSchedules } from '../tasks/schedules.js'
import type { Scheduler, SubmitResult } from '../core/scheduler.js'
import type { ScheduleRecord, ScheduleSpec, ScheduleView } from '../core/schedules.js'
import type { TaskSpec } from '../core/task.js'
import { checkTemplates, type Submission } from './submission.js'

export interface ScheduleCommandsInit {
  scheduler: Scheduler
  /** An operator's change: refused unless it can be confirmed, then decided, and run through the cycle. */
  change: <T>(decide: () => T) => T
  clock: () => number
  maxPayloadBytes: number
}

/**
 * What every door does with the recurring tasks of a running admin: list them, add or replace them (as a
 * task file's `schedules` says them), pause, resume and remove them. Each change is journaled with the
 * batch of its turn, and answered once written (`AdminHandle.recorded`).
 */
export class ScheduleCommands {
  private readonly init: ScheduleCommandsInit

  constructor (init: ScheduleCommandsInit) {
    this.init = init
  }

  list (): ScheduleView[] {
    return this.init.scheduler.schedules.list()
  }

  get (name: string): ScheduleView {
    return this.init.scheduler.schedules.get(name)
  }

  /** Schedules as a task file's `schedules` writes them (one, or a list), read and checked, then added all or none. */
  put (input: unknown): ScheduleRecord[] {
    const problems: Problem[] = []
    const specs = readSchedules(input, problems)
    if (problems.length > 0) throw new ValidationError(problems, { subject: 'schedules' })
    checkTemplates(specs, this.init.maxPayloadBytes)
    return this.init.change(() => this.init.scheduler.putSchedules(specs, this.init.clock()))
  }

  /** Pauses (or resumes) a schedule: its slots pass without a task until it is resumed. */
  setPaused (name: string, paused: boolean): ScheduleView {
    return this.init.change(() => {
      this.init.scheduler.schedules.setPaused(name, paused, this.init.clock())
      return this.get(name)
    })
  }

  /** Removes a schedule: the tasks it submitted stay. False when there was none of that name. */
  remove (name: string): boolean {
    return this.init.change(() => this.init.scheduler.schedules.remove(name))
  }

  /**
   * A submission with tasks and schedules, all or none: the schedules are checked first (they may name the
   * tasks as dependencies), then the tasks added, then the schedules.
   */
  submit (submission: Submission & { schedules: ScheduleSpec[] }): SubmitResult & { schedules?: string[] } {
    const { scheduler, clock } = this.init
    const now = clock()
    const { specs, paths, schedules } = submission
    if (schedules.length === 0) return scheduler.submit(specs, now, paths)
    checkTemplates(schedules, this.init.maxPayloadBytes)
    const ids = new Set(specs.map((s: TaskSpec) => s.id))
    scheduler.putSchedules(schedules, now, id => ids.has(id), true)
    const result = specs.length > 0 ? scheduler.submit(specs, now, paths) : { added: [], existing: [] }
    scheduler.putSchedules(schedules, now, id => ids.has(id))
    return { ...result, schedules: schedules.map(s => s.name) }
  }
}
