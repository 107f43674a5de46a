/**
 * Resources a worker offers and a task needs, by name: `cpu` (cores), `memory` (bytes), `gpu` (devices), or
 * any name a worker declares (`gpu_memory`, `licenses`). A task runs only on a worker whose declared amounts,
 * less what its running attempts hold, cover every amount the task needs; a name the worker does not
 * declare is an amount of 0 there.
 */
export type Resources = Readonly<Record<string, number>>

/** `cpu=2,memory=4294967296`, names sorted: equal needs give equal keys; '' for none. */
export function resourceKey (need: Resources | undefined): string {
  if (need == null) return ''
  return Object.keys(need).sort().map(name => `${name}=${need[name]}`).join(',')
}

/** Whether `offered` less `held` covers every amount of `need`. */
export function fits (need: Resources, offered: Resources | undefined, held: Readonly<Record<string, number>>): boolean {
  for (const name in need) {
    if ((offered?.[name] ?? 0) - (held[name] ?? 0) < need[name]!) return false
  }
  return true
}

/** Adds (sign 1) or takes back (sign -1) what an attempt holds. */
export function hold (held: Record<string, number>, need: Resources, sign: 1 | -1): void {
  for (const name in need) {
    const left = (held[name] ?? 0) + sign * need[name]!
    // floating-point sums of fractional cores come back to exactly 0 when nothing is held
    held[name] = Math.abs(left) < 1e-9 ? 0 : left
  }
}

/** The names in `need` that no worker's declared total covers, even idle, with the largest offered. */
export function beyondEveryWorker (need: Resources, offers: Iterable<Resources | undefined>): Array<{ name: string, needed: number, largest: number }> {
  const largest: Record<string, number> = {}
  for (const offered of offers) {
    for (const name in need) largest[name] = Math.max(largest[name] ?? 0, offered?.[name] ?? 0)
  }
  return Object.keys(need).sort().filter(name => (largest[name] ?? 0) < need[name]!).map(name => ({ name, needed: need[name]!, largest: largest[name] ?? 0 }))
}

/** 4294967296 → "4 GiB" for memory-like names, "2" for counts: for messages. */
export function formatAmount (name: string, amount: number): string {
  return /memory|bytes|disk|storage/i.test(name) ? formatBytes(amount) : String(amount)
}

/** 1536 → "1.5 KiB": sizes in binary units, as `free -h` prints them. */
export function formatBytes (bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${Number.isInteger(value) || value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`
}

/** `cpu 2, memory 4 GiB`: for messages and tables. */
export function formatResources (resources: Resources): string {
  return Object.keys(resources).sort().map(name => `${name} ${formatAmount(name, resources[name]!)}`).join(', ')
}
