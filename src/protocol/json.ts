import { ProtocolError } from '../errors.js'
import type { JsonValue } from '../core/task.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })
const EMPTY = new Uint8Array(new ArrayBuffer(0))

/** JSON as bytes for the wire; `undefined` travels as no bytes at all. */
export function encodeJson (value: unknown): Uint8Array<ArrayBuffer> {
  if (value === undefined) return EMPTY
  return encoder.encode(JSON.stringify(value))
}

/** The inverse of {@link encodeJson}. Throws ProtocolError on bytes that are not UTF-8 JSON. */
export function decodeJson (bytes: Uint8Array | undefined, what: string): JsonValue | undefined {
  if (bytes == null || bytes.byteLength === 0) return undefined
  try {
    return JSON.parse(decoder.decode(bytes)) as JsonValue
  } catch (err) {
    throw new ProtocolError(`${what} is not valid JSON: ${(err as Error).message}`)
  }
}
