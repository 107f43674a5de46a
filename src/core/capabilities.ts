/**
 * Capability sets and requirement sets interned to small integers, so "does this worker hold every
 * capability this task needs" is one array lookup after the first time a pair is seen.
 */
export class CapabilityIndex {
  private readonly classes = new Map<string, number>()
  private readonly classCaps: Array<ReadonlySet<string>> = []
  private readonly requirements = new Map<string, number>()
  private readonly requirementCaps: string[][] = []
  /** satisfiesMemo[requirement][class] is 1 when the class holds every required capability */
  private readonly satisfiesMemo: Uint8Array[] = []

  /** Interned id of a set of required capabilities. */
  requirementId (requires: readonly string[]): number {
    const key = requires.length === 0 ? '' : [...new Set(requires)].sort().join('\u0000')
    let id = this.requirements.get(key)
    if (id == null) {
      id = this.requirementCaps.length
      this.requirements.set(key, id)
      this.requirementCaps.push(key === '' ? [] : key.split('\u0000'))
      this.satisfiesMemo.push(new Uint8Array(0))
      this.fillRow(id)
    }
    return id
  }

  /** Interned id of a worker's capabilities, given sorted and without repeats. */
  classId (capabilities: readonly string[]): number {
    const key = capabilities.join('\u0000')
    let id = this.classes.get(key)
    if (id == null) {
      const caps = new Set(capabilities)
      id = this.classCaps.length
      this.classes.set(key, id)
      this.classCaps.push(caps)
      // a new class is rare (a worker with a new set of capabilities): extend every requirement's row
      for (let r = 0; r < this.requirementCaps.length; r++) {
        if (id >= this.satisfiesMemo[r]!.length) this.fillRow(r)
        else this.satisfiesMemo[r]![id] = this.requirementCaps[r]!.every(n => caps.has(n)) ? 1 : 0
      }
    }
    return id
  }

  /**
   * For an interned requirement, one byte per capability class: 1 when the class holds every required
   * capability. Always complete for the classes that exist, so a scheduling pass reads it without checks.
   */
  satisfiedBy (requirement: number): Uint8Array {
    return this.satisfiesMemo[requirement]!
  }

  private fillRow (requirement: number): void {
    const needs = this.requirementCaps[requirement]!
    const row = new Uint8Array(Math.max(8, this.classCaps.length * 2))
    this.classCaps.forEach((caps, c) => { row[c] = needs.every(n => caps.has(n)) ? 1 : 0 })
    this.satisfiesMemo[requirement] = row
  }
}
