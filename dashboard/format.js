// Small helpers every part of the dashboard uses: escaping, colours, readable sizes and times.

export const STATES = ['waiting', 'ready', 'delayed', 'running', 'succeeded', 'failed', 'skipped', 'cancelled']
export const color = state => getComputedStyle(document.documentElement).getPropertyValue(`--${state}`).trim()
export const $ = id => document.getElementById(id)
export const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]))

/** 850 → "850 ms", 1500 → "1.5 s", 90000 → "1 min 30 s". */
export function duration (ms) {
  if (ms < 1000) return `${ms < 10 ? Math.round(ms * 10) / 10 : Math.round(ms)} ms`
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`
  if (ms < 3600000) return `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`
  if (ms < 86400000) return `${Math.floor(ms / 3600000)} h ${Math.round((ms % 3600000) / 60000)} min`
  return `${Math.floor(ms / 86400000)} d ${Math.round((ms % 86400000) / 3600000)} h`
}

/** 1536 → "1.5 KiB", as the CLI prints sizes. */
export function bytes (n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let unit = 0
  while (n >= 1024 && unit < units.length - 1) { n /= 1024; unit++ }
  return `${unit === 0 || n >= 100 ? Math.round(n) : n.toFixed(1)} ${units[unit]}`
}

/** 12345 → "12,345". */
export const count = n => Number(n).toLocaleString('en')
