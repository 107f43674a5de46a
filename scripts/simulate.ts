// npm run simulate -- [options]: the `taskmesh simulate` command, run from the sources.
import { main } from '../src/cli/main.js'
import { exitWhenFlushed } from '../src/cli/exit.js'

// exits as the CLI does: after the lines still batched (the summary table) have been written
await exitWhenFlushed(await main([process.argv[0]!, 'taskmesh', 'simulate', ...process.argv.slice(2)]))
