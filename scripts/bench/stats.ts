export function percentile (values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = Float64Array.from(values).sort()
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p / 100))]!
}

export function median (values: number[]): number {
  return percentile(values, 50)
}
