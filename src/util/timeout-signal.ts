/**
 * An AbortSignal that aborts after `ms`, held by a timer that keeps the process running until then.
 * `AbortSignal.timeout` uses an unref'd timer: when it is all that is left, Node exits in the middle of
 * the await it was meant to bound (with exit code 0). Call `clear()` once the wait is over.
 */
export function timeoutSignal (ms: number, reason = `timed out after ${ms} ms`): { signal: AbortSignal, clear: () => void } {
  const controller = new AbortController()
  const timer = setTimeout(() => { controller.abort(new Error(reason)) }, ms)
  return { signal: controller.signal, clear: () => { clearTimeout(timer) } }
}
