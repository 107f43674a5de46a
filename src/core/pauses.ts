import { MAX_PAUSES } from './constants.js'
import { LimitExceededError } from './errors.js'
import type { PauseChanged } from './events.js'
import type { TaskSpec } from './task.js'

/** What an operator paused: every task ("all") or one type ("type:NAME"), with why and since when. */
export interface Pause {
  scope: string
  reason?: string
  since: number
}

/** What a pause's scope holds, for people: "every task", "tasks of type "summarize"", "tasks of group "acme"". */
export function scopeText (scope: string): string {
  if (scope === 'all') return 'every task'
  const [kind, ...name] = scope.split(':')
  return `tasks of ${kind === 'group' ? 'group' : 'type'} "${name.join(':')}"`
}

/** The scope a pause of `type`, or of `group`, or of everything (neither), is recorded under. */
export function pauseScope (type?: string, group?: string): string {
  return group != null ? `group:${group}` : type == null ? 'all' : `type:${type}`
}

/**
 * Pauses in force. Running tasks go on; no task under a pause starts until it is resumed. A scope is
 * paused or not: pausing it again changes its reason only.
 */
export class Pauses {
  private readonly byScope = new Map<string, Pause>()

  get size (): number {
    return this.byScope.size
  }

  /**
   * The event that pauses (or resumes) `scope`, undefined when there is nothing to change: pausing what is
   * paused for the same reason, resuming what is not paused. At most `MAX_PAUSES` are in force.
   */
  change (scope: string, paused: boolean, reason: string | undefined, now: number): PauseChanged | undefined {
    const held = this.byScope.get(scope)
    if (!paused) return held != null ? { type: 'pause-changed', at: now, scope, paused: false } : undefined
    if (held != null && held.reason === reason) return undefined
    if (held == null && this.byScope.size >= MAX_PAUSES) throw new LimitExceededError(`${MAX_PAUSES} pauses are in force, the most there may be: resume some, or pause everything at once`)
    return { type: 'pause-changed', at: now, scope, paused: true, ...(reason != null ? { reason } : {}) }
  }

  list (): Pause[] {
    return [...this.byScope.values()]
  }

  get (scope: string): Pause | undefined {
    return this.byScope.get(scope)
  }

  set (pause: Pause): void {
    this.byScope.set(pause.scope, pause)
  }

  delete (scope: string): boolean {
    return this.byScope.delete(scope)
  }

  /** The pause that keeps a task of this spec from starting, if any. */
  holding (spec: TaskSpec): Pause | undefined {
    if (this.byScope.size === 0) return undefined
    return this.byScope.get('all') ?? this.byScope.get(`type:${spec.type}`) ?? (spec.group != null ? this.byScope.get(`group:${spec.group}`) : undefined)
  }

  /** "paused (tasks of type "summarize"): maintenance". */
  static describe (pause: Pause): string {
    return `paused (${scopeText(pause.scope)})${pause.reason != null ? `: ${pause.reason}` : ''}`
  }
}
