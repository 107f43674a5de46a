/** A time as ISO 8601, or as ms when it is beyond what a Date can say (it should not be: inputs are bounded). */
export function isoTime (ms: number): string {
  const date = new Date(ms)
  return Number.isNaN(date.getTime()) ? `${ms} ms since the epoch` : date.toISOString()
}
