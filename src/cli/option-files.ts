import { readFile } from 'node:fs/promises'
import { createSecureContext } from 'node:tls'
import { ValidationError } from '../errors.js'
import { MAX_SECRET_BYTES } from '../webhooks/constants.js'
import { UsageError } from './exit-codes.js'

/** Files options name, read and checked before anything starts, each problem said with the file's name. */

/** A file an option names, or a ValidationError naming it and saying what it was to hold. */
async function readNamed (file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file)
  } catch (err) {
    throw new ValidationError([{ path: '', message: `cannot read the ${what}: ${(err as Error).message}` }], { file })
  }
}

/** A secret shared with others (a token, a signing key): one line of 16 to 4096 bytes, without spaces. */
async function readSecret (file: string, what: string): Promise<string> {
  const secret = (await readNamed(file, what)).toString('utf8').trim()
  if (secret.length < 16 || Buffer.byteLength(secret) > MAX_SECRET_BYTES || /\s/.test(secret)) {
    throw new ValidationError([{ path: '', message: `the ${what} must be one line of 16 to ${MAX_SECRET_BYTES} bytes without spaces; make one with: openssl rand -hex 32 > FILE` }], { file })
  }
  return secret
}

/** `--http-token FILE`: the bearer token the HTTP API requires. */
export async function readToken (file: string): Promise<string> {
  return await readSecret(file, 'HTTP token')
}

/** `--a2a-token FILE`: the bearer token a worker's A2A agents require. */
export async function readA2aToken (file: string): Promise<string> {
  return await readSecret(file, 'A2A token')
}

/** `--webhook-secret FILE`: what signs every webhook's body. */
export async function readWebhookSecret (file: string): Promise<string> {
  return await readSecret(file, 'webhook secret')
}

/**
 * `--http-tls-cert FILE --http-tls-key FILE`: both or neither, each a PEM file, the key that of the
 * certificate; checked here (as TLS will use them) so a bad pair fails by name, not when the server starts.
 */
export async function readTls (certFile: string | undefined, keyFile: string | undefined): Promise<{ cert: Buffer, key: Buffer } | undefined> {
  if (certFile == null && keyFile == null) return undefined
  if (certFile == null || keyFile == null) throw new UsageError(`--http-tls-cert and --http-tls-key go together: give ${certFile == null ? '--http-tls-cert (the certificate)' : '--http-tls-key (its private key)'} too`)
  const [cert, key] = await Promise.all([readNamed(certFile, 'certificate'), readNamed(keyFile, 'private key')])
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
  const key = await readNamed(file, 'swarm key')
  if (!SWARM_KEY.test(key.toString('utf8'))) {
    throw new ValidationError([{ path: '', message: 'not a swarm key (expected /key/swarm/psk/1.0.0/, /base16/ and 64 hex digits); make one with: taskmesh keygen --swarm --out FILE' }], { file })
  }
  return key
}
