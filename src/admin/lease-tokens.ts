import { randomBytes } from 'node:crypto'

const TOKEN_BYTES = 16
const POOL_BYTES = TOKEN_BYTES * 256

/**
 * Unguessable lease tokens (128 random bits, base64url), cut from a pooled buffer: one call to the
 * system's random source per 256 tokens instead of one per assignment.
 */
export function leaseTokens (): () => string {
  let pool = randomBytes(POOL_BYTES)
  let offset = 0
  return () => {
    if (offset === POOL_BYTES) {
      pool = randomBytes(POOL_BYTES)
      offset = 0
    }
    const token = pool.toString('base64url', offset, offset + TOKEN_BYTES)
    offset += TOKEN_BYTES
    return token
  }
}
