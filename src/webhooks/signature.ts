import { createHmac, timingSafeEqual } from 'node:crypto'

/** The signature header's value for a body: `sha256=` and the hex HMAC-SHA256 of the body with the secret. */
export function signWebhook (body: string | Uint8Array, secret: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/**
 * For a receiver: whether `signature` (the `taskmesh-signature-256` header) is that of `body` (the raw
 * request body, before any parsing) with `secret`. Compared in constant time.
 */
export function verifyWebhook (body: string | Uint8Array, signature: string | undefined, secret: string | Uint8Array): boolean {
  if (signature == null) return false
  const expected = Buffer.from(signWebhook(body, secret))
  const given = Buffer.from(signature)
  return given.length === expected.length && timingSafeEqual(given, expected)
}
