import { main } from './main.js'
import { flushOutputs } from './output.js'

// the process entry of the CLI (bin/taskmesh.js checks the Node version first, then lands here)
main().then(exit, async (err: Error) => {
  process.stderr.write(`error: ${err.stack ?? String(err)}\n`)
  await exit(1)
})

/**
 * Exits once what was written to stdout and stderr has left the process. Writes to a pipe whose reader is
 * slower than us wait in Node's buffer; `process.exit` would drop them (a summary cut short, exit code 0).
 */
async function exit (code: number): Promise<void> {
  flushOutputs()
  await Promise.all([process.stdout, process.stderr].map(async stream => {
    await new Promise<void>(resolve => {
      if (stream.writableLength === 0) resolve()
      else stream.write('', () => { resolve() })
    })
  }))
  process.exit(code)
}
