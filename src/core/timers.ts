import TinyQueue from 'tinyqueue'

/**
 * Deadlines of the scheduler (timeouts, backoff delays, lease expiries, no-worker grace periods) in one
 * min-heap. Entries are never removed early: whoever pops one checks that it still applies, which keeps
 * every update O(log n).
 */
export class Deadlines<T> {
  private readonly heap = new TinyQueue<{ at: number, item: T }>([], (a, b) => a.at - b.at)

  add (at: number, item: T): void {
    this.heap.push({ at, item })
  }

  /** The earliest deadline, or undefined when there is none. */
  next (): number | undefined {
    return this.heap.peek()?.at
  }

  /** Removes and returns the items due at `now`, earliest first. */
  due (now: number): T[] {
    const out: T[] = []
    while (this.heap.length > 0 && this.heap.peek()!.at <= now) out.push(this.heap.pop()!.item)
    return out
  }

  get size (): number {
    return this.heap.length
  }
}
