/**
 * Errors of the scheduling core. Each class carries a static `name` (as libp2p's errors do), so callers
 * compare `err.name === UnknownTaskError.name`, also for errors that crossed the network and arrive with
 * their name only. Messages say what went wrong and what to do about it.
 */

/** One problem found while validating input, with the path of the offending value (`tasks[3].depends_on`). */
export interface Problem {
  path: string
  message: string
}

/** The base of every taskmesh error: its `name` is its class's static `name`. */
export class TaskmeshError extends Error {
  static override name = 'TaskmeshError'

  constructor (message?: string) {
    super(message)
    this.name = new.target.name
  }
}

/** Input that does not fit its schema: a task file, a task, an option, a frame. Lists every problem at once. */
export class ValidationError extends TaskmeshError {
  static override name = 'ValidationError'
  readonly problems: Problem[]
  /** The file the input came from, when there is one. */
  readonly file?: string

  constructor (problems: Problem[], options: { file?: string, subject?: string } = {}) {
    const where = options.file ?? options.subject ?? 'input'
    const lines = problems.map(p => p.path === '' ? p.message : `${p.path}: ${p.message}`)
    super(`${where}: ${problems.length === 1 ? 'invalid' : `${problems.length} problems`}\n  ${lines.join('\n  ')}`)
    this.problems = problems
    if (options.file != null) this.file = options.file
  }
}

/** A task id that the admin does not know. */
export class UnknownTaskError extends TaskmeshError { static override name = 'UnknownTaskError' }

/** A worker (by peer id or name) that the admin does not know, or a name that several workers share. */
export class UnknownWorkerError extends TaskmeshError { static override name = 'UnknownWorkerError' }

/** No schedule of that name. */
export class UnknownScheduleError extends TaskmeshError { static override name = 'UnknownScheduleError' }

/** An operation that does not fit the task's current state (retrying a running task, for example). */
export class InvalidStateError extends TaskmeshError { static override name = 'InvalidStateError' }

/** A limit configured on the admin was reached (queued tasks, registered workers, payload size). */
export class LimitExceededError extends TaskmeshError { static override name = 'LimitExceededError' }

/** No registered worker can run a task (capabilities, pin, skill), and the admin was told not to wait. */
export class NoSuitableWorkerError extends TaskmeshError { static override name = 'NoSuitableWorkerError' }
