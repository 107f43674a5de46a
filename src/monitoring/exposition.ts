/**
 * Some gauges of libp2p and of prom-client's Node.js defaults are named with `_total`, which Prometheus
 * reserves for counters (and `promtool check metrics` refuses). They are exposed without the suffix (or,
 * where that name is taken, with `_all` instead), so the exposition is lint-clean and no gauge reads like a
 * counter. Everything else passes through unchanged.
 */
export function withoutCounterSuffixOnGauges (exposition: string): string {
  const families = new Set([...exposition.matchAll(/^# TYPE (\S+) /gm)].map(m => m[1]!))
  const renamed = new Map<string, string>()
  for (const m of exposition.matchAll(/^# TYPE (\S+)_total gauge$/gm)) {
    const base = m[1]!
    renamed.set(`${base}_total`, families.has(base) ? `${base}_all` : base)
  }
  if (renamed.size === 0) return exposition
  return exposition.split('\n').map(line => {
    const name = /^(?:# (?:HELP|TYPE) )?([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)?.[1]
    const to = name != null ? renamed.get(name) : undefined
    return to == null ? line : line.replace(name!, to)
  }).join('\n')
}
