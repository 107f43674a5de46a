import { createInterface } from 'node:readline'
import type { ChildProcess } from 'node:child_process'

/** JSON lines of a child's stdout, awaited one match at a time. */
export function jsonLines (child: ChildProcess): { next(match: (e: any) => boolean): Promise<any> } {
  const seen: any[] = []
  const waiting: Array<() => void> = []
  let closed = false
  createInterface({ input: child.stdout! }).on('line', line => {
    try { seen.push(JSON.parse(line)) } catch {}
    for (const wake of waiting.splice(0)) wake()
  }).on('close', () => {
    closed = true
    for (const wake of waiting.splice(0)) wake()
  })
  let at = 0
  return {
    async next (match) {
      for (;;) {
        while (at < seen.length) {
          const e = seen[at++]
          if (match(e)) return e
        }
        if (closed || child.exitCode != null) throw new Error(`process ${child.pid} ended its output (exit code ${child.exitCode ?? 'not yet known'}) before the awaited event`)
        await new Promise<void>(resolve => waiting.push(resolve))
      }
    }
  }
}
