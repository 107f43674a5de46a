import type { TaskArchive } from './archive.js'
import type { JsonValue } from './task.js'

/** Results by cache key: the first task with a key to succeed gives its output to the others with that key. */
export class ResultCache {
  private readonly results = new Map<string, { id: string, output: JsonValue | undefined }>()

  /** A task with `key` succeeded: its result is the key's, unless another task's already is. */
  add (key: string, id: string, output: JsonValue | undefined): void {
    if (!this.results.has(key)) this.results.set(key, { id, output })
  }

  /** The result another task left under `key`, for task `id`. */
  hit (key: string, id: string): { id: string, output: JsonValue | undefined } | undefined {
    const hit = this.results.get(key)
    return hit != null && hit.id !== id ? hit : undefined
  }

  /** Retention dropped task `id`: its result under `key` goes with it. */
  forget (key: string, id: string): void {
    if (this.results.get(key)?.id === id) this.results.delete(key)
  }

  /** After a journal is replayed: the results of archived tasks may be reused too. */
  addArchived (archive: TaskArchive): void {
    for (const task of archive.cached()) this.add(task.spec.cacheKey!, task.id, task.output)
  }
}

/** 1500 → "1.5 s", 90000 → "1 min 30 s": a delay as people read it in a history. */
export function formatDelay (ms: number): string {
  if (ms < 60_000) return `${Number((Math.max(0, ms) / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`
  const min = Math.floor(ms / 60_000)
  const s = Math.round((ms % 60_000) / 1000)
  return s === 0 ? `${min} min` : `${min} min ${s} s`
}
