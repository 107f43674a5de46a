import { Command, Option } from 'commander'
import { DEFAULT_ADMIN_LISTEN, DEFAULT_NETWORK } from '../../protocol/constants.js'
import { DEFAULT_LEASE_TTL_MS, DEFAULT_MAX_LOST_ATTEMPTS, DEFAULT_MAX_WINDOW, DEFAULT_NO_WORKER_GRACE_MS, DEFAULT_STRATEGY } from '../../core/constants.js'
import { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_MAX_INVALID_FRAMES, DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_TASKS, DEFAULT_MAX_WORKERS, DEFAULT_SCHEDULING_INTERVAL_MS, DEFAULT_UNPROVEN_BUDGET } from '../../admin/constants.js'
import { DEFAULT_FAILOVER_TIMEOUT_MS } from '../../store/constants.js'
import { collect, duration, httpUrl, groupWeights, hostPort, integer, number, oneOf, rateLimit, ratio, webhook } from '../options.js'
import { logOptions } from '../log-options.js'
import { withSettings } from '../settings.js'
import type { AdminOptions } from '../actions/admin.js'


export function adminCommand (): Command {
  const command = new Command('admin')
    .description('run the admin peer: hold the tasks, wait for workers, assign by skill and capability')
    .option('--tasks <file>', 'task file, JSON or YAML (tutorial or coordinator format)')
    .option('--expected-workers <n>', 'assign nothing until this many workers have registered', integer(0), 0)
    .addOption(new Option('--listen <multiaddr>', 'address to listen on, repeatable').argParser(collect).default([], DEFAULT_ADMIN_LISTEN))
    .option('--key <file>', 'identity key file, created if missing, so the address survives restarts (default <data-dir>/admin.key)')
    .option('--data-dir <dir>', 'keep a durable journal here; restarting on it resumes where the admin stopped')
    .option('--database-url <url>', 'keep the journal in PostgreSQL instead (postgres://user:password@host:5432/db); needs --key. Several admins on one database: one leads, the others wait as standbys')
    .option('--failover-timeout <seconds>', 'with --database-url: a standby takes over this long after the leader stops renewing its lease', number(0.5), DEFAULT_FAILOVER_TIMEOUT_MS / 1000)
    .option('--replica <name>', 'with --database-url: this admin\'s name among the replicas (default: host name and process id)')
    .option('--journal-sync <mode>', 'full: every change is on disk before it is acted on (survives power loss); normal: survives the admin being killed, not a power cut', oneOf('full', 'normal'), 'full')
    .option('--strategy <name|file>', 'skill-fit, capability-match, round-robin, least-loaded, priority, learned, or ./module.js', DEFAULT_STRATEGY)
    .option('--on-no-worker <policy>', 'a task no registered worker can run: wait, or fail after the grace period', oneOf('wait', 'fail'), 'wait')
    .option('--wait-for-worker <seconds>', 'how long such a task waits before failing', number(0), DEFAULT_NO_WORKER_GRACE_MS / 1000)
    .option('--network <name>', 'network name; status broadcasts go to taskmesh/<name>/status', DEFAULT_NETWORK)
    .option('--relay <multiaddr>', 'keep a slot on this circuit relay (taskmesh relay), for an admin behind NAT: workers dial the relayed address it prints, and move to a direct connection when hole punching opens one; repeatable', collect, [])
    .option('--mdns', 'announce the admin by mDNS so workers on the local network can use its bare peer id')
    .option('--swarm-key <file>', 'private network: only peers with this key can connect (see keygen --swarm)')
    .option('--allow-workers <file>', 'only these peer ids (one a line) may join as workers; reloaded on SIGHUP')
    .option('--allow-clients <file>', 'only these peer ids may submit, cancel and query; reloaded on SIGHUP')
    .option('--max-workers <n>', 'registered workers at most', integer(1), DEFAULT_MAX_WORKERS)
    .option('--max-tasks <n>', 'tasks held in memory at most; finished tasks archived do not count', integer(1), DEFAULT_MAX_TASKS)
    .option('--max-payload-bytes <n>', 'largest task payload, as JSON', integer(0), DEFAULT_MAX_PAYLOAD_BYTES)
    .option('--max-invalid-frames <n>', 'invalid frames a peer may send before it is disconnected and refused for a minute', integer(1), DEFAULT_MAX_INVALID_FRAMES)
    .addOption(new Option('--lease-ttl <seconds>', `a worker silent for this long loses its tasks (default: ${DEFAULT_LEASE_TTL_MS / 1000})`).argParser(number(0.1)))
    .option('--max-lost-attempts <n>', `distinct workers a task may be lost on (disconnected or silent while running it) before it fails (default ${DEFAULT_MAX_LOST_ATTEMPTS})`, integer(0))
    .option('--max-worker-concurrency <n>', 'most attempts any worker may hold at once; each starts with 2 and earns more by delivering', integer(1), DEFAULT_MAX_WINDOW)
    .option('--unproven-budget <n>', `attempts the workers that have delivered nothing yet may hold together, whatever their names (default ${DEFAULT_UNPROVEN_BUDGET})`, integer(1))
    .option('--exit-when-done', 'exit once every task is final: 0 if all succeeded, 1 otherwise')
    .option('--quiet', 'print nothing per task (workers joining and leaving, warnings and the summary only)')
    .option('--drain-timeout <seconds>', 'on SIGINT/SIGTERM, how long running tasks may finish', number(0), DEFAULT_DRAIN_TIMEOUT_MS / 1000)
    .option('--id <id>', 'an identifier for this admin, shown in summaries, on the dashboard and in metrics')
    .option('--name <name>', 'a name for this admin, shown like --id')
    .option('--scheduling-interval <seconds>', 'assignment follows every change; besides, a scheduling pass and a progress broadcast this often', number(0.01), DEFAULT_SCHEDULING_INTERVAL_MS / 1000)
    .option('--http <[host:]port>', 'serve the HTTP API, the live dashboard and /metrics here (a bare port: loopback only)', hostPort)
    .option('--http-token <file>', 'file holding the bearer token the HTTP API requires (required when --http is not on loopback)')
    .option('--http-tls-cert <file>', 'serve the HTTP API over HTTPS with this certificate (PEM; with --http-tls-key)')
    .option('--http-tls-key <file>', 'the private key of --http-tls-cert (PEM)')
    .option('--http-allow-host <name>', 'a host name the HTTP API may be reached by (behind a proxy, say), repeatable; IP addresses and localhost always may', collect, [])
    .option('--browser-handlers <url>', 'a module of task handlers (one exported function per task type) that browser workers at /worker may load (/worker?handlers=URL); repeatable. Without it they run the built-in simulate only', httpUrl, [])
    .option('--webhook <[events=]url>', 'post events to this URL as JSON (repeatable): task:completed by default, or the events named before "=" (task:failed,done=https://...)', webhook, [])
    .option('--webhook-secret <file>', 'sign every webhook\'s body with this secret (HMAC-SHA256, header taskmesh-signature-256)')
    .option('--rate-limit <key=n/period>', 'at most N starts per PERIOD, across all workers, of tasks of type KEY or whose rate_limit_key is KEY (summarize=100/1s; repeatable)', rateLimit, [])
    .option('--group-concurrency <n>', 'attempts of one task group (a task\'s group field) running at once, at most', integer(1))
    .option('--group-weights <group=weight,...>', 'each task group\'s share of the workers against the others (1 for a group not named), such as acme=3,globex=1', groupWeights)
    .option('--retain-finished <duration>', 'drop finished tasks this long after they finished (90s, 15m, 12h, 7d), from memory and the journal; never one a kept task depends on', duration)
    .option('--retain-finished-count <n>', 'keep at most this many finished tasks, dropping the oldest first', integer(0))
    .option('--otel-endpoint <url>', 'export a trace per task (queued, each attempt, its run on the worker) over OTLP/HTTP to this collector, such as http://127.0.0.1:4318 (default: $OTEL_EXPORTER_OTLP_ENDPOINT)')
    .option('--monitoring-interval <seconds>', 'how often alert thresholds are checked; also the failure-rate window', number(0.01), 60)
    .option('--alert-task-duration <seconds>', 'alert when an attempt runs longer than this', number(0))
    .option('--alert-failure-rate <ratio>', 'alert when more than this share of the attempts in the window fail (from 5 attempts on)', ratio)
    .option('--alert-dependency-wait <seconds>', 'alert when a task waits longer than this for its dependencies', number(0))
    .option('--alert-resource-usage <ratio>', 'alert when a worker uses more than this share of a CPU core', number(0))
    .option('--avoid-busy <ratio>', 'give nothing new to a worker whose heartbeat reports more than this share of a CPU core (default: --alert-resource-usage, when given)', number(0))
    .option('--json', 'one JSON object per line on stdout, each with an "event" field')
  logOptions(command)
  return withSettings(command, {
    section: 'task_manager',
    envPrefix: 'TASKMESH_ADMIN_',
    nested: { alert_thresholds: 'alert' },
    paths: ['tasks', 'key', 'dataDir', 'swarmKey', 'allowWorkers', 'allowClients', 'httpToken', 'httpTlsCert', 'httpTlsKey', 'webhookSecret'],
    modules: ['strategy'],
    spaceSeparated: ['webhook', 'relay', 'browserHandlers']
  }).action(async (opts: AdminOptions) => {
    // what runs an admin (libp2p, the journal, HTTP) is loaded only when one is run: --help stays quick
    const { runAdmin } = await import('../actions/admin.js')
    await runAdmin(opts)
  })
}
