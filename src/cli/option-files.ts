import { readFile } from 'node:fs/promises'
import { createSecureContext } from 'node:tls'
import { ValidationError } from '../errors.js'
import { UsageError } from './exit-codes.js'

/** Files options name, read and checked before anything starts, each problem said with the file's name. */

/** `--http-token FILE`: one line of at least 16 characters, checked here so a bad file fails by name. */
export async function readToken (file: string): Promise<string> {
  let token: string
  try {
    token = (await readFile(file, 'utf8')).trim()
  } catch (err) {
    throw new ValidationError([{ path: '', message: `cannot read the HTTP token: ${(err as Error).message}` }], { file })
  }
  if (token.length < 16 || /\s/.test(token)) {
    throw new ValidationError([{ path: '', message: 'an HTTP token is one line of at least 16 characters without spaces; make one with: openssl rand -hex 32 > FILE' }], { file })
  }
  return token
}

/**
 * `--http-tls-cert FILE --http-tls-key FILE`: both or neither, each a PEM file, the key that of the
 * certificate; checked here (as TLS will use them) so a bad pair fails by name, not when the server starts.
 */
export async function readTls (certFile: string | undefined, keyFile: string | undefined): Promise<{ cert: Buffer, key: Buffer } | undefined> {
  if (certFile == null && keyFile == null) return undefined
  if (certFile == null || keyFile == null) throw new UsageError(`--http-tls-cert and --http-tls-key go together: give ${certFile == null ? '--http-tls-cert (the certificate)' : '--http-tls-key (its private key)'} too`)
  const read = async (file: string, what: string): Promise<Buffer> => {
    try {
      return await readFile(file)
    } catch (err) {
      throw new ValidationError([{ path: '', message: `cannot read the ${what}: ${(err as Error).message}` }], { file })
    }
  }
  const [cert, key] = await Promise.all([read(certFile, 'certificate'), read(keyFile, 'private key')])
  try {
    createSecureContext({ cert, key })
  } catch (err) {
    throw new ValidationError([{ path: '', message: `not a PEM certificate whose private key is ${keyFile} (${(err as Error).message}); make a self-signed pair with: openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out cert.pem -subj /CN=HOST -days 365` }], { file: certFile })
  }
  return { cert, key }
}

const SWARM_KEY = /^\/key\/swarm\/psk\/1\.0\.0\/\r?\n\/base16\/\r?\n[0-9a-f]{64}\s*$/i

/** `--swarm-key FILE`: its format checked so a bad file fails here, by name, not deep in libp2p. */
export async function readSwarmKey (file: string): Promise<Uint8Array> {
  let key: Buffer
  try {
    key = await readFile(file)
  } catch (err) {
    throw new ValidationError([{ path: '', message: `cannot read the swarm key: ${(err as Error).message}` }], { file })
  }
  if (!SWARM_KEY.test(key.toString('utf8'))) {
    throw new ValidationError([{ path: '', message: 'not a swarm key (expected /key/swarm/psk/1.0.0/, /base16/ and 64 hex digits); make one with: taskmesh keygen --swarm --out FILE' }], { file })
  }
  return key
}

/** `--webhook-secret FILE`: what signs every webhook's body; its content, trimmed, 16 to 4096 bytes. */
export async function readWebhookSecret (file: string): Promise<string> {
  let secret: string
  try {
    secret = (await readFile(file, 'utf8')).trim()
  } catch (err) {
    throw new ValidationError([{ path: '', message: `cannot read the webhook secret: ${(err as Error).message}` }], { file })
  }
  if (secret.length < 16 || Buffer.byteLength(secret) > 4096) {
    throw new ValidationError([{ path: '', message: 'a webhook secret is 16 to 4096 bytes; make one with: openssl rand -hex 32 > FILE' }], { file })
  }
  return secret
}
