import { Command, InvalidArgumentError, Option } from 'commander'
import { RELAY_MAX_CIRCUITS_PER_PEER, RELAY_MAX_RESERVATIONS } from '../../node/constants.js'
import { DEFAULT_RELAY_LISTEN } from '../../protocol/constants.js'
import { bytes, collect, duration, integer } from '../options.js'
import { logOptions } from '../log-options.js'
import { withSettings } from '../settings.js'
import type { RelayCliOptions } from '../actions/relay.js'

/** A duration a timer can hold: libp2p times a relayed connection with one (at most 2^31 - 1 ms, 24.8 days). */
function shortDuration (value: string): number {
  const ms = duration(value)
  if (ms > 2 ** 31 - 1) throw new InvalidArgumentError(`at most 24d (a longer limit would end every relayed connection at once), not "${value}"`)
  return ms
}

export function relayCommand (): Command {
  const command = new Command('relay')
    .description('run a circuit relay for admins behind NAT: an admin started with --relay ADDRESS keeps a slot on it, and workers reach that admin through it until a direct connection opens')
    .addOption(new Option('--listen <multiaddr>', 'address to listen on, repeatable; it must be reachable by the admins and workers').argParser(collect).default([], DEFAULT_RELAY_LISTEN))
    .option('--key <file>', 'identity key file, created if missing: the relay\'s address (and so every admin\'s --relay) survives restarts')
    .option('--swarm-key <file>', 'private network: only peers with this key can use the relay')
    .option('--allow <file>', 'only these peer ids (one a line: the network\'s admins, workers and clients) may use the relay; reloaded on SIGHUP')
    .option('--max-reservations <n>', 'admins holding a slot at once', integer(1), RELAY_MAX_RESERVATIONS)
    .option('--max-circuits <n>', 'relayed connections to one admin at once (one per worker or client still relayed)', integer(1), RELAY_MAX_CIRCUITS_PER_PEER)
    .option('--relayed-duration <duration>', 'reset a relayed connection after this long (90s, 15m, 2h; at most 24d); none by default: a worker\'s connection lasts as long as it works', shortDuration)
    .option('--relayed-data <size>', 'reset a relayed connection after this many bytes, both ways together (64MiB, 1GB); none by default', bytes)
    .option('--json', 'one JSON object per line on stdout, each with an "event" field')
  logOptions(command)
  return withSettings(command, {
    section: 'relay',
    envPrefix: 'TASKMESH_RELAY_',
    paths: ['key', 'swarmKey', 'allow']
  }).action(async (opts: RelayCliOptions) => {
    const { runRelay } = await import('../actions/relay.js')
    await runRelay(opts)
  })
}
