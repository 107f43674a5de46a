import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Command } from 'commander'
import { generateKey } from '@libp2p/pnet'
import { createKeyFile, peerIdOf } from '../../node/identity.js'
import { ValidationError } from '../../errors.js'
import { Output } from '../output.js'

export function keygenCommand (): Command {
  return new Command('keygen')
    .description('write a new peer identity key (or, with --swarm, a private-network key) to a file')
    .requiredOption('--out <file>', 'where to write the key (refuses to overwrite)')
    .option('--swarm', 'write a swarm key for a private network instead (give it to admin and workers with --swarm-key)')
    .option('--json', 'print one JSON line')
    .action(async (opts: { out: string, swarm?: boolean, json?: boolean }) => {
      const out = new Output({ json: opts.json === true })
      if (opts.swarm === true) {
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
