import { main } from './main.js'
import { exitWhenFlushed } from './exit.js'
import { printable } from '../util/printable.js'

// the process entry of the CLI (bin/taskmesh.js checks the Node version first, then lands here)
main().then(exitWhenFlushed, async (err: Error) => {
  process.stderr.write(`error: ${printable(err.stack ?? String(err), { multiline: true })}\n`)
  await exitWhenFlushed(1)
})
