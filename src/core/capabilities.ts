/** A task's type, among the names a requirement lists: task types are matched like capabilities. */
const TYPE = '\u0000type:'
/** Held by a worker that takes tasks of any type (one registered without a list of types). */
const ANY_TYPE = `${TYPE}*`
const SEPARATOR = '\u0001'
const NO_NAMES: ReadonlySet<string> = new Set()

/**
 * Capability sets and requirement sets interned to small integers, so "does this worker hold every
 * capability this task needs, and handle its type" is one array lookup after the first time a pair is seen.
 *
 * A worker's set (a class) is held while a worker uses it and given back when none does: agents that pull
 * work may name a new set with every claim, and a class kept for ever would grow every requirement's row.
 * A freed class id is reused by the next new set.
 */
export class CapabilityIndex {
  private readonly classes = new Map<string, number>()
  private readonly classCaps: Array<ReadonlySet<string>> = []
  private readonly classKeys: string[] = []
  /** Workers holding each class. */
  private readonly holders: number[] = []
  private readonly freeIds: number[] = []
  private readonly requirements = new Map<string, number>()
  private readonly requirementCaps: string[][] = []
  /** satisfiesMemo[requirement][class] is 1 when the class holds every required capability */
  private readonly satisfiesMemo: Uint8Array[] = []

  /** Interned id of what a task needs: capabilities, and a worker that handles its type. */
  requirementId (requires: readonly string[], type?: string): number {
    const names = requires.length === 0 ? [] : [...new Set(requires)].sort()
    if (type != null) names.push(TYPE + type)
    const key = names.join(SEPARATOR)
    let id = this.requirements.get(key)
    if (id == null) {
      id = this.requirementCaps.length
      this.requirements.set(key, id)
      this.requirementCaps.push(names)
      this.satisfiesMemo.push(new Uint8Array(0))
      this.fillRow(id)
    }
    return id
  }

  /**
   * Takes a hold on the class of what a worker offers: its capabilities (sorted, without repeats) and the
   * types it handles; give it back with {@link release} when the worker leaves or changes.
   */
  acquire (capabilities: readonly string[], types: readonly string[] | undefined): number {
    const names = [...capabilities, ...(types == null ? [ANY_TYPE] : types.map(t => TYPE + t))]
    const key = names.join(SEPARATOR)
    let id = this.classes.get(key)
    if (id == null) {
      const caps = new Set(names)
      id = this.freeIds.pop() ?? this.classCaps.length
      this.classes.set(key, id)
      this.classCaps[id] = caps
      this.classKeys[id] = key
      this.holders[id] = 0
      // a new class is rare (a worker with a new set of capabilities): extend every requirement's row
      for (let r = 0; r < this.requirementCaps.length; r++) {
        if (id >= this.satisfiesMemo[r]!.length) this.fillRow(r)
        else this.satisfiesMemo[r]![id] = satisfies(caps, this.requirementCaps[r]!) ? 1 : 0
      }
    }
    this.holders[id]!++
    return id
  }

  /** A worker no longer uses this class; the last one to let go frees it. */
  release (id: number): void {
    if (this.holders[id] == null || this.holders[id] === 0) return
    if (--this.holders[id]! > 0) return
    this.classes.delete(this.classKeys[id]!)
    this.classCaps[id] = NO_NAMES
    this.classKeys[id] = ''
    this.freeIds.push(id)
  }

  /** Classes held by some worker now. */
  get size (): number {
    return this.classes.size
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
    this.classCaps.forEach((caps, c) => { row[c] = satisfies(caps, needs) ? 1 : 0 })
    this.satisfiesMemo[requirement] = row
  }
}

function satisfies (caps: ReadonlySet<string>, needs: readonly string[]): boolean {
  return needs.every(n => caps.has(n) || (n.startsWith(TYPE) && caps.has(ANY_TYPE)))
}
