import type { TaskSpec } from './task.js'

/** What an operator paused: every task ("all") or one type ("type:NAME"), with why and since when. */
export interface Pause {
  scope: string
  reason?: string
  since: number
}

/** What a pause's scope holds, for people: "every task", or "tasks of type "summarize"". */
export function scopeText (scope: string): string {
  return scope === 'all' ? 'every task' : `tasks of type "${scope.slice('type:'.length)}"`
}

/** The scope a pause of `type` (or of everything, without one) is recorded under. */
export function pauseScope (type?: string): string {
  return type == null ? 'all' : `type:${type}`
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
    return this.byScope.get('all') ?? this.byScope.get(`type:${spec.type}`)
  }

  /** "paused (tasks of type "summarize"): maintenance". */
  static describe (pause: Pause): string {
    return `paused (${scopeText(pause.scope)})${pause.reason != null ? `: ${pause.reason}` : ''}`
  }
}
