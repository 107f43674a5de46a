/** `node:timers/promises` in the browser worker's bundle: the one function the worker uses. */
export async function setTimeout<T = void> (ms?: number, value?: T, options: { signal?: AbortSignal } = {}): Promise<T> {
  const signal = options.signal
  signal?.throwIfAborted()
  return await new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      globalThis.clearTimeout(timer)
      reject(signal?.reason ?? new Error('aborted'))
    }
    const timer = globalThis.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve(value as T)
    }, ms ?? 0)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
