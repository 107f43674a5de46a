import { Command, Option } from 'commander'
import { integer, secondsRange } from '../options.js'
import type { SimulateOptions } from '../actions/simulate.js'


export function simulateCommand (): Command {
  return new Command('simulate')
    .description('run a whole network on this host: the tutorial by default, every peer a real libp2p node on loopback')
    .option('--workers <n>', 'generated scenario: this many workers with skills spread over 1..10', integer(1, 500))
    .option('--tasks <n>', 'generated scenario: this many tasks with difficulties 1..10', integer(1, 1_000_000))
    .option('--seed <n>', 'seed of the generated scenario', integer(0), 1)
    .option('--late-join', 'the most skilled worker joins only after the others have done what they can')
    .option('--processes', 'each worker in its own OS process')
    .option('--strategy <name|file>', 'assignment strategy (compare skill-fit with round-robin)', 'skill-fit')
    .addOption(new Option('--task-time <seconds|min-max>', 'how long each simulated task takes, such as 0 or 0.3-0.9').argParser(secondsRange).default({ min: 300, max: 900 }, '0.3-0.9'))
    .option('--json', 'one JSON object per line on stdout, each with an "event" field')
    .action(async (opts: SimulateOptions) => {
      const { runSimulate } = await import('../actions/simulate.js')
      await runSimulate(opts)
    })
}
