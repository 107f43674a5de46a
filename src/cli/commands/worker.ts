import { Command, Option } from 'commander'
import { DEFAULT_NETWORK, FIELD_LIMITS } from '../../protocol/constants.js'
import { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_EXEC_READY_TIMEOUT_MS } from '../../worker/constants.js'
import { collect, integer, list, number, resourceList, secondsRange } from '../options.js'
import { logOptions } from '../log-options.js'
import { withSettings } from '../settings.js'
import type { WorkerOptions } from '../actions/worker.js'


export function workerCommand (): Command {
  const command = new Command('worker')
    .description('run a worker peer: dial the admin, register skill and capabilities, run assigned tasks')
    .option('--admin <multiaddr>', 'the admin\'s address as it printed it (ending in /p2p/<peerId>), or its bare peer id (found by mDNS); required. Repeat it for the addresses of an admin\'s replicas: the worker tries them in turn', collect)
    .option('--name <name>', 'worker name (tasks may be pinned to it); required')
    .option('--skill <n>', 'skill level: the tutorial\'s tasks succeed when it is at least their difficulty; required', number(0))
    .option('--capabilities <list>', 'comma-separated capabilities, e.g. gpu,python', list, [])
    .option('--max-concurrent <n>', 'tasks run at once', integer(1, FIELD_LIMITS.maxConcurrent), 1)
    .option('--priority <n>', 'preference for the priority strategy (higher first)', integer(-FIELD_LIMITS.priority, FIELD_LIMITS.priority), 0)
    .option('--resources <list>', 'what it offers to the tasks it runs at once, e.g. cpu=8,memory=32GiB,gpu=1 (default: this machine\'s cores and memory)', resourceList)
    .option('--exec <command>', 'run the handlers in a long-lived child process in any language, one JSON object per line on its stdin and stdout (docs/exec-protocol.md; python/taskmesh_agent.py for Python)')
    .option('--exec-ready-timeout <seconds>', 'how long the --exec child may take to say it is ready', number(0.1), DEFAULT_EXEC_READY_TIMEOUT_MS / 1000)
    .option('--a2a <url>', 'run the skills of the A2A agent at this URL (its base, where its agent card is) as task types; repeatable', collect, [])
    .option('--a2a-token <file>', 'file holding the bearer token the --a2a agents require')
    .option('--handlers <file>', 'module exporting one function per task type: (task, { signal }) => output')
    .option('--listen <multiaddr>', 'also listen here (workers only dial out by default): an admin behind NAT then connects to this worker directly instead of through its relay, when this address is public; repeatable', collect, [])
    .option('--key <file>', 'identity key file, created if missing')
    .option('--swarm-key <file>', 'private network key; must match the admin\'s')
    .option('--network <name>', 'network name, for status broadcasts', DEFAULT_NETWORK)
    .addOption(new Option('--simulate-time <seconds|min-max>', 'how long the built-in simulate handler takes, such as 0.5 or 0.3-0.9').argParser(secondsRange).default({ min: 0, max: 0 }, '0'))
    .option('--drain-timeout <seconds>', 'on SIGINT/SIGTERM, how long running tasks may finish before leaving', number(0), DEFAULT_DRAIN_TIMEOUT_MS / 1000)
    .option('--exit-when-done', 'leave (exit 0) once the admin says every task it holds is final')
    .option('--exit-when-idle <seconds>', 'leave (exit 0) after this long with no task to run, once registered (connected since or not)', number(0))
    .option('--otel-endpoint <url>', 'export a span for each run, in its task\'s trace, over OTLP/HTTP to this collector (default: $OTEL_EXPORTER_OTLP_ENDPOINT)')
    .option('--json', 'one JSON object per line on stdout, each with an "event" field')
    .option('--quiet', 'print nothing per task (connection changes and errors only)')
  logOptions(command)
  return withSettings(command, {
    section: 'worker',
    envPrefix: 'TASKMESH_WORKER_',
    required: ['admin', 'name', 'skill'],
    paths: ['handlers', 'key', 'swarmKey', 'a2aToken'],
    spaceSeparated: ['a2a', 'listen']
  }).action(async (opts: WorkerOptions) => {
    // what runs a worker (libp2p, the handlers, the --exec bridge) is loaded only when one is run
    const { runWorker } = await import('../actions/worker.js')
    await runWorker(opts)
  })
}
