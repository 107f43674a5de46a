import FlatQueue from 'flatqueue'

/**
 * Deadlines of the scheduler (timeouts, backoff delays, lease expiries, no-worker grace periods) in one
 * min-heap. Entries are never removed early: whoever pops one checks that it still applies, which keeps
 * every update O(log n).
 */
export class Deadlines<T> {
  private readonly heap = new FlatQueue<T>()

  add (at: number, item: T): void {
    this.heap.push(item, at)
  }

  /** The earliest deadline, or undefined when there is none. */
  next (): number | undefined {
    return this.heap.peekValue()
  }

  /** Removes and returns the items due at `now`, earliest first. */
  due (now: number): T[] {
    const out: T[] = []
    while (this.heap.length > 0 && this.heap.peekValue()! <= now) out.push(this.heap.pop()!)
    return out
  }

  get size (): number {
    return this.heap.length
  }
}
