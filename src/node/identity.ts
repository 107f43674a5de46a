import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ValidationError } from '../errors.js'
import type { PrivateKey } from '@libp2p/interface'

/**
 * A peer's identity lives in a key file (the protobuf form libp2p uses, mode 0600), so its peer id, and
 * with it its address, survives restarts.
 */
export async function loadOrCreateKey (file: string): Promise<{ privateKey: PrivateKey, created: boolean }> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw keyFileError(file, `cannot be read: ${(err as Error).message}`)
    return { privateKey: await createKeyFile(file), created: true }
  }
  try {
    const privateKey = privateKeyFromProtobuf(bytes)
    const mode = (await stat(file)).mode & 0o077
    if (mode !== 0) process.emitWarning(`key file ${file} can be read by other users; run: chmod 600 ${file}`)
    return { privateKey, created: false }
  } catch {
    throw keyFileError(file, 'is not a libp2p private key; point --key at a file written by `taskmesh keygen`, or at a path that does not exist yet to create one')
  }
}

/** Writes a new Ed25519 key; refuses to overwrite an existing file. */
export async function createKeyFile (file: string): Promise<PrivateKey> {
  const privateKey = await generateKeyPair('Ed25519')
  await mkdir(dirname(file), { recursive: true })
  try {
    await writeFile(file, privateKeyToProtobuf(privateKey), { mode: 0o600, flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw keyFileError(file, 'already exists; remove it first or choose another path')
    throw keyFileError(file, `cannot be written: ${(err as Error).message}`)
  }
  return privateKey
}

export function peerIdOf (privateKey: PrivateKey): string {
  return peerIdFromPrivateKey(privateKey).toString()
}

function keyFileError (file: string, problem: string): ValidationError {
  return new ValidationError([{ path: '', message: `key file ${problem}` }], { file })
}
