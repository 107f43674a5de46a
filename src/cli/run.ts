import { main } from './main.js'
import { exitWhenFlushed } from './exit.js'

// the process entry of the CLI (bin/taskmesh.js checks the Node version first, then lands here)
main().then(exitWhenFlushed, async (err: Error) => {
  process.stderr.write(`error: ${err.stack ?? String(err)}\n`)
  await exitWhenFlushed(1)
})
