/**
 * Every error taskmesh throws on purpose is one of these classes. libp2p's own are reused where they exist
 * (`AbortError`, `TimeoutError`, `ProtocolError`, `InvalidMessageError`); each class carries a static
 * `name`, and callers (and tests) tell them apart by it: `err.name === AuthorizationError.name`.
 */
import { ProtocolError } from '@libp2p/interface'
import { TaskmeshError } from './core/errors.js'

export { AbortError, InvalidMessageError, ProtocolError, TimeoutError } from '@libp2p/interface'
export { TaskmeshError, ValidationError, UnknownTaskError, UnknownWorkerError, UnknownScheduleError, InvalidStateError, LimitExceededError, NoSuitableWorkerError, type Problem } from './core/errors.js'

/** A peer tried something it is not allowed to do (join as a worker, submit as a client). */
export class AuthorizationError extends TaskmeshError { static override name = 'AuthorizationError' }

/** The admin refused this worker's registration (a bad field, a name in use, a limit), saying why. */
export class RegistrationRefusedError extends TaskmeshError {
  static override name = 'RegistrationRefusedError'
  /** The worker may come back after this long (a quarantine or a ban ends); absent: it should not. */
  readonly retryAfterMs?: number

  constructor (message?: string, options: { retryAfterMs?: number } = {}) {
    super(message)
    if (options.retryAfterMs != null) this.retryAfterMs = options.retryAfterMs
  }
}

/** A frame or message larger than the configured limit. */
export class MessageTooLargeError extends ProtocolError {
  static override name = 'MessageTooLargeError'

  constructor (message?: string) {
    super(message)
    this.name = MessageTooLargeError.name
  }
}

/** An address that cannot be dialled as given (for instance a multiaddr without `/p2p/<peerId>`). */
export class InvalidAddressError extends TaskmeshError { static override name = 'InvalidAddressError' }

/** A task handler asks for no retry: the attempt fails for good whatever the retry policy says. */
export class UnrecoverableError extends TaskmeshError { static override name = 'UnrecoverableError' }

/** The admin's journal could not be opened or written. */
export class StoreError extends TaskmeshError { static override name = 'StoreError' }

/** The journal in a data directory is held by another admin (SQLite's lock): stop it, or use another directory. */
export class JournalInUseError extends StoreError { static override name = 'JournalInUseError' }

/** The session with the journal's database is gone (or was replaced): the statement may be tried again on a new one. */
export class ConnectionLostError extends StoreError { static override name = 'ConnectionLostError' }

/**
 * The admin cannot confirm a change now: its journal's store does not answer. Nothing is acknowledged
 * before the journal has it, so the caller hears this instead (HTTP 503) and may try again.
 */
export class JournalUnavailableError extends TaskmeshError { static override name = 'JournalUnavailableError' }
