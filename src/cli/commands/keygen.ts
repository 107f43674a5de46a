import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Command } from 'commander'
import { ValidationError } from '../../core/errors.js'

// what the actions need (libp2p's crypto, the output's tables) is loaded when one runs: --help stays quick

export function keygenCommand (): Command {
  return new Command('keygen')
    .description('write a new peer identity key (or, with --swarm, a private-network key) to a file')
    .requiredOption('--out <file>', 'where to write the key (refuses to overwrite)')
    .option('--swarm', 'write a swarm key for a private network instead (give it to admin and workers with --swarm-key)')
    .option('--json', 'print one JSON line')
    .action(async (opts: { out: string, swarm?: boolean, json?: boolean }) => {
      const [{ Output }, { createKeyFile, peerIdOf }] = await Promise.all([import('../output.js'), import('../../node/identity.js')])
      const out = new Output({ json: opts.json === true })
      if (opts.swarm === true) {
        const { generateKey } = await import('@libp2p/pnet')
        const key = new Uint8Array(95)
        generateKey(key)
        await mkdir(dirname(opts.out), { recursive: true })
        try {
          await writeFile(opts.out, key, { mode: 0o600, flag: 'wx' })
        } catch (err) {
          throw new ValidationError([{ path: '', message: (err as NodeJS.ErrnoException).code === 'EEXIST' ? 'already exists; remove it first or choose another path' : (err as Error).message }], { file: opts.out })
        }
        out.event('swarm-key', { file: opts.out })
        out.say(`swarm key written to ${opts.out}; copy it to every peer of the network and pass --swarm-key ${opts.out}`)
        return
      }
      const key = await createKeyFile(opts.out)
      out.event('key', { file: opts.out, peerId: peerIdOf(key) })
      out.say(peerIdOf(key))
    })
}

/**
 * The token an agent that pulls over HTTP proves its identity with: signed with its own key, for one
 * admin. Its peer id is what the admin's --allow-workers list names.
 */
export function agentTokenCommand (): Command {
  return new Command('agent-token')
    .description('print the token an agent that pulls work over HTTP sends (taskmesh-agent header) to prove its identity: its peer id, signed with its key, for one admin')
    .requiredOption('--key <file>', 'the agent\'s identity key (created if missing, as taskmesh keygen does); its peer id goes on the admin\'s --allow-workers list')
    .requiredOption('--admin <address>', 'the admin\'s address as it printed it (ending in /p2p/<peerId>), or its peer id')
    .option('--json', 'print one JSON line')
    .action(async (opts: { key: string, admin: string, json?: boolean }) => {
      const [{ Output }, { loadOrCreateKey, peerIdOf }, { issueAgentToken }, { parseAdminAddresses }] = await Promise.all([
        import('../output.js'), import('../../node/identity.js'), import('../../admin/agent-token.js'), import('../../worker/admin-address.js')
      ])
      const out = new Output({ json: opts.json === true })
      const target = parseAdminAddresses(opts.admin)
      const adminPeerId = target.peerId.toString()
      const { privateKey } = await loadOrCreateKey(opts.key)
      const token = await issueAgentToken(privateKey, adminPeerId)
      out.event('agent-token', { peerId: peerIdOf(privateKey), admin: adminPeerId, token })
      out.say(token)
    })
}
