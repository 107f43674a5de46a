import { Command } from 'commander'
import { collect, number } from '../options.js'
import { logOptions } from '../log-options.js'
import { withSettings } from '../settings.js'
import type { McpOptions } from '../actions/mcp.js'
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../client/constants.js'


export function mcpCommand (): Command {
  const command = new Command('mcp')
    .description('serve the Model Context Protocol on stdio: tools for an LLM agent to distribute tasks to a running admin')
    .option('--admin <multiaddr>', 'the admin\'s address as it printed it (ending in /p2p/<peerId>); required. Repeat it for the addresses of an admin\'s replicas: the first that answers leads', collect)
    .option('--key <file>', 'this client\'s identity key (what an admin\'s --allow-clients list names); created if missing')
    .option('--swarm-key <file>', 'private network key, when the admin uses one')
    .option('--timeout <seconds>', 'how long to wait for the admin', number(0), DEFAULT_REQUEST_TIMEOUT_MS / 1000)
  logOptions(command)
  return withSettings(command, {
    section: 'mcp',
    envPrefix: 'TASKMESH_MCP_',
    required: ['admin'],
    paths: ['key', 'swarmKey']
  }).action(async (opts: McpOptions) => {
    // the MCP SDK and libp2p are loaded only when the server runs
    const { runMcp } = await import('../actions/mcp.js')
    await runMcp(opts)
  })
}
