/**
 * Every error taskmesh throws on purpose is one of these classes. Callers (and tests) tell them apart by
 * `.name`; messages say what went wrong and what to do about it.
 */

/** One problem found while validating input, with the path of the offending value (`tasks[3].depends_on`). */
export interface Problem {
  path: string
  message: string
}

/** Input that does not fit its schema: a task file, a task, an option, a frame. Lists every problem at once. */
export class ValidationError extends Error {
  static readonly code = 'VALIDATION'
  override readonly name = 'ValidationError'
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

/** A peer tried something it is not allowed to do (join as a worker, submit as a client). */
export class AuthorizationError extends Error {
  override readonly name = 'AuthorizationError'
}

/** No registered worker can run a task (capabilities, pin, skill), and the admin was told not to wait. */
export class NoSuitableWorkerError extends Error {
  override readonly name = 'NoSuitableWorkerError'
}

/** An operation or task attempt ran past its deadline. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError'
}

/** A peer sent something that breaks the wire protocol: undecodable, oversized, or out of order. */
export class ProtocolError extends Error {
  override readonly name: string = 'ProtocolError'
}

/** A frame or message larger than the configured limit. */
export class MessageTooLargeError extends ProtocolError {
  override readonly name: string = 'MessageTooLargeError'
}

/** An address that cannot be dialled as given (for instance a multiaddr without `/p2p/<peerId>`). */
export class InvalidAddressError extends Error {
  override readonly name = 'InvalidAddressError'
}

/** A task id that the admin does not know. */
export class UnknownTaskError extends Error {
  override readonly name = 'UnknownTaskError'
}

/** A worker (by peer id or name) that the admin does not know, or a name that several workers share. */
export class UnknownWorkerError extends Error {
  override readonly name = 'UnknownWorkerError'
}

/** An operation that does not fit the task's current state (retrying a running task, for example). */
export class InvalidStateError extends Error {
  override readonly name = 'InvalidStateError'
}

/** A task handler asks for no retry: the attempt fails for good whatever the retry policy says. */
export class UnrecoverableError extends Error {
  override readonly name = 'UnrecoverableError'
}

/** The admin's journal could not be opened or written. */
export class StoreError extends Error {
  override readonly name = 'StoreError'
}

/** A limit configured on the admin was reached (queued tasks, registered workers, payload size). */
export class LimitExceededError extends Error {
  override readonly name = 'LimitExceededError'
}

/** The operation was stopped through its AbortSignal or because the service is stopping. */
export class AbortError extends Error {
  override readonly name = 'AbortError'
  constructor (message = 'The operation was aborted') {
    super(message)
  }
}
