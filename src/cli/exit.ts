import { flushOutputs } from './open-outputs.js'

/**
 * Exits once what was written to stdout and stderr has left the process: the lines the CLI batches per
 * event-loop turn first, then Node's own buffers. Writes to a pipe whose reader is slower than us wait in
 * Node's buffer; `process.exit` alone would drop them (a summary cut short, exit code 0).
 */
export async function exitWhenFlushed (code: number): Promise<never> {
  flushOutputs()
  await Promise.all([process.stdout, process.stderr].map(async stream => {
    await new Promise<void>(resolve => {
      if (stream.writableLength === 0) resolve()
      else stream.write('', () => { resolve() })
    })
  }))
  process.exit(code)
}
