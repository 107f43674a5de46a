import { Command } from 'commander'
import { collect, number } from '../options.js'
import { createLogger, logOptions, type LogOptions } from '../log.js'
import { withSettings } from '../settings.js'
import { onShutdownSignal } from '../signals.js'
import { connect, type ClientOptions } from './client.js'

type McpOptions = ClientOptions & LogOptions

export function mcpCommand (): Command {
  const command = new Command('mcp')
    .description('serve the Model Context Protocol on stdio: tools for an LLM agent to distribute tasks to a running admin')
    .option('--admin <multiaddr>', 'the admin\'s address as it printed it (ending in /p2p/<peerId>); required. Repeat it for the addresses of an admin\'s replicas: the first that answers leads', collect)
    .option('--key <file>', 'this client\'s identity key (what an admin\'s --allow-clients list names); created if missing')
    .option('--swarm-key <file>', 'private network key, when the admin uses one')
    .option('--timeout <seconds>', 'how long to wait for the admin', number(0), 30)
  logOptions(command)
  return withSettings(command, {
    section: 'mcp',
    envPrefix: 'TASKMESH_MCP_',
    required: ['admin'],
    paths: ['key', 'swarmKey']
  }).action(runMcp)
}

/** Stdout carries the protocol and nothing else: logs go to stderr. */
async function runMcp (opts: McpOptions): Promise<void> {
  const log = createLogger({ name: 'mcp', logLevel: opts.logLevel, logFormat: opts.logFormat })
  // the SDK is loaded here, not when the CLI starts
  const [{ StdioServerTransport }, { AdminLink }, { createMcpServer }] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/stdio.js'),
    import('../../mcp/admin-link.js'),
    import('../../mcp/server.js')
  ])
  let closing = false
  const link = new AdminLink(async () => {
    const client = await connect(opts)
    log.info({ admin: opts.admin }, 'connected to the admin')
    client.signal.addEventListener('abort', () => {
      if (closing) return
      log.warn({ reason: String(client.signal.reason?.message ?? client.signal.reason) }, 'lost the admin; reconnecting on the next call')
    }, { once: true })
    return client
  })
  const server = createMcpServer(link)
  const transport = new StdioServerTransport()
  const closed = new Promise<void>(resolve => {
    transport.onclose = () => { resolve() }
    onShutdownSignal(() => { resolve() })
    // the client closing our stdin ends the session
    process.stdin.once('end', () => { resolve() })
  })
  await server.connect(transport)
  log.info('MCP server on stdio')
  await closed
  closing = true
  await server.close().catch(() => {})
  await link.close()
}
