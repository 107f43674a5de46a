import { main } from './main.js'

// the process entry of the CLI (bin/taskmesh.js checks the Node version first, then lands here)
main().then(code => { process.exit(code) }, (err: Error) => {
  process.stderr.write(`error: ${err.stack ?? String(err)}\n`)
  process.exit(1)
})
