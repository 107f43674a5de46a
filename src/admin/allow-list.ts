import { readFile } from 'node:fs/promises'
import { peerIdFromString } from '@libp2p/peer-id'
import { ValidationError, type Problem } from '../errors.js'

/**
 * Peer ids allowed to do something (join as a worker, act as a client), read from a file: one peer id a
 * line, `#` starts a comment, blank lines are ignored. Noise has already authenticated every peer id, so
 * an allow-list by peer id is an allow-list by key.
 */
export class AllowList {
  readonly file: string
  private peers: ReadonlySet<string> = new Set()

  private constructor (file: string) {
    this.file = file
  }

  /** Reads the file; throws a ValidationError naming each bad line. */
  static async load (file: string): Promise<AllowList> {
    const list = new AllowList(file)
    await list.reload()
    return list
  }

  /** Reads the file again. On any problem the previous list stays in force and the error is thrown. */
  async reload (): Promise<number> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (err) {
      throw new ValidationError([{ path: '', message: `cannot read the allow-list: ${(err as Error).message}` }], { file: this.file })
    }
    const peers = new Set<string>()
    const problems: Problem[] = []
    text.split('\n').forEach((raw, i) => {
      const line = raw.replace(/#.*/, '').trim()
      if (line === '') return
      try {
        peers.add(peerIdFromString(line).toString())
      } catch {
        problems.push({ path: `line ${i + 1}`, message: `"${line.slice(0, 60)}" is not a peer id (one peer id a line, such as 12D3KooW...; # starts a comment)` })
      }
    })
    if (problems.length > 0) throw new ValidationError(problems, { file: this.file })
    this.peers = peers
    return peers.size
  }

  has (peerId: string): boolean {
    return this.peers.has(peerId)
  }

  get size (): number {
    return this.peers.size
  }

  /** An authorization check for the admin: true, or why not. */
  check (what: string): (peerId: string) => true | string {
    // a peer started without --key has a new id every run: adding that one would not help
    return peerId => this.has(peerId) ? true : `not in the ${what} allow-list ${this.file}: give the ${what} a lasting identity with --key FILE (taskmesh keygen --out FILE prints its peer id), add that id to the list and send the admin SIGHUP`
  }
}
