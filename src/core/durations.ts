import { DURATION_SAMPLES, MAX_TRACKED_TYPES, PROBATION_FACTOR, PROBATION_FLOOR_MS, PROBATION_MIN_SAMPLES } from './constants.js'

interface Samples {
  ms: Float64Array
  count: number
}

/**
 * The recent durations of accepted attempts, per task type: what "far too long" means for a worker that
 * has not proven itself yet. Bounded in types and in samples per type.
 */
export class TypeDurations {
  private readonly byType = new Map<string, Samples>()

  add (type: string, ms: number): void {
    let samples = this.byType.get(type)
    if (samples == null) {
      if (this.byType.size >= MAX_TRACKED_TYPES) this.byType.delete(this.byType.keys().next().value!)
      samples = { ms: new Float64Array(DURATION_SAMPLES), count: 0 }
      this.byType.set(type, samples)
    }
    samples.ms[samples.count++ % DURATION_SAMPLES] = ms
  }

  /** How long an unproven worker may hold an attempt of this type; undefined until the type has a history. */
  probationMs (type: string): number | undefined {
    const samples = this.byType.get(type)
    if (samples == null || samples.count < PROBATION_MIN_SAMPLES) return undefined
    const recent = samples.ms.slice(0, Math.min(samples.count, DURATION_SAMPLES)).sort()
    const p90 = recent[Math.min(recent.length - 1, Math.floor(recent.length * 0.9))]!
    return Math.max(PROBATION_FLOOR_MS, Math.ceil(p90 * PROBATION_FACTOR))
  }
}
