/**
 * The known name closest to a misspelled one, within two edits (case ignored), for "did you mean"
 * messages; undefined when nothing is that close.
 */
export function closest (word: string, known: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = 3
  const w = word.toLowerCase()
  for (const k of known) {
    const d = editDistance(w, k.toLowerCase())
    if (d < bestDistance) {
      best = k
      bestDistance = d
    }
  }
  return best
}

/** `; did you mean "x"?` for the closest known name, or nothing. */
export function didYouMean (word: string, known: Iterable<string>): string {
  const best = closest(word, known)
  return best != null ? `; did you mean "${best}"?` : ''
}

/** Levenshtein distance, giving up (3) once the lengths differ by more than two. */
function editDistance (a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  let row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    row = next
  }
  return row[b.length]!
}
