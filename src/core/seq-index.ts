const PAGE_BITS = 12
const PAGE_SIZE = 1 << PAGE_BITS
const PAGE_MASK = PAGE_SIZE - 1

interface Page<T> {
  items: Array<T | undefined>
  /** Items in it now: at 0 the page goes. */
  live: number
}

/**
 * Items by submission number, in pages of 4,096: a lookup is two array reads, as a plain array's would be
 * nearly, but a page whose items have all gone (archived, dropped) is let go. A long-running admin holds
 * memory for the tasks it holds, not for every task it ever numbered (a plain array kept a slot for each).
 */
export class SeqIndex<T> {
  private readonly pages: Array<Page<T> | undefined> = []

  at (seq: number): T | undefined {
    return this.pages[seq >>> PAGE_BITS]?.items[seq & PAGE_MASK]
  }

  set (seq: number, item: T): void {
    const p = seq >>> PAGE_BITS
    let page = this.pages[p]
    if (page == null) {
      page = { items: new Array<T | undefined>(PAGE_SIZE), live: 0 }
      this.pages[p] = page
    }
    if (page.items[seq & PAGE_MASK] === undefined) page.live++
    page.items[seq & PAGE_MASK] = item
  }

  delete (seq: number): void {
    const p = seq >>> PAGE_BITS
    const page = this.pages[p]
    if (page?.items[seq & PAGE_MASK] === undefined) return
    page.items[seq & PAGE_MASK] = undefined
    if (--page.live === 0) this.pages[p] = undefined
  }

  /** Pages held now (for tests and figures). */
  get pageCount (): number {
    let n = 0
    for (const page of this.pages) if (page != null) n++
    return n
  }

  /** The items, in submission order. */
  * [Symbol.iterator] (): Generator<T> {
    for (const page of this.pages) {
      if (page == null) continue
      for (const item of page.items) if (item !== undefined) yield item
    }
  }
}
