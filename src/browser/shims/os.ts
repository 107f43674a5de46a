/** `node:os` in the browser worker's bundle: what a worker declares it offers. */
const nav = (globalThis as { navigator?: { hardwareConcurrency?: number, deviceMemory?: number } }).navigator

export function availableParallelism (): number {
  return nav?.hardwareConcurrency ?? 1
}

/** The browser tells at most 8 GiB (navigator.deviceMemory), and only in some browsers: 0 when it does not. */
export function totalmem (): number {
  return Math.round((nav?.deviceMemory ?? 0) * 2 ** 30)
}

export function hostname (): string {
  return 'browser'
}
