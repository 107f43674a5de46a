// npm run simulate -- [options]: the `taskmesh simulate` command, run from the sources.
import { main } from '../src/cli/main.js'

process.exit(await main([process.argv[0]!, 'taskmesh', 'simulate', ...process.argv.slice(2)]))
