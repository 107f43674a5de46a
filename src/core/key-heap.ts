/**
 * A min-heap of plain numbers in one growable Float64Array. The ready queue keeps only task order keys
 * here (each key identifies its task): sifting moves 8-byte numbers, never object pointers, which at a
 * million queued tasks is what keeps a pop cheap.
 */
export class KeyHeap {
  private keys = new Float64Array(16)
  length = 0

  push (key: number): void {
    if (this.length === this.keys.length) {
      const grown = new Float64Array(this.keys.length * 2)
      grown.set(this.keys)
      this.keys = grown
    }
    const keys = this.keys
    let pos = this.length++
    while (pos > 0) {
      const parent = (pos - 1) >> 1
      if (key >= keys[parent]!) break
      keys[pos] = keys[parent]!
      pos = parent
    }
    keys[pos] = key
  }

  peek (): number | undefined {
    return this.length > 0 ? this.keys[0] : undefined
  }

  pop (): number | undefined {
    if (this.length === 0) return undefined
    const keys = this.keys
    const top = keys[0]!
    const last = --this.length
    if (last > 0) {
      const key = keys[last]!
      const half = last >> 1
      let pos = 0
      while (pos < half) {
        let child = (pos << 1) + 1
        if (child + 1 < last && keys[child + 1]! < keys[child]!) child++
        if (keys[child]! >= key) break
        keys[pos] = keys[child]!
        pos = child
      }
      keys[pos] = key
    }
    return top
  }
}
