import { ProtocolError } from '../errors.js'
import { MAX_JSON_DEPTH } from './constants.js'
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

/**
 * What makes a value unfit to travel as JSON, or undefined: a value JSON cannot carry (NaN, a function), or
 * nesting deeper than the limit. Walks with its own stack, never recursing, so it is safe on any input.
 */
export function jsonProblem (value: unknown, maxDepth = MAX_JSON_DEPTH): string | undefined {
  const stack: unknown[] = [value]
  const depths: number[] = [1]
  while (stack.length > 0) {
    const v = stack.pop()
    const depth = depths.pop()!
    // undefined is what JavaScript code leaves in an object it returns: JSON drops it, as nothing
    if (v === null || v === undefined || typeof v === 'string' || typeof v === 'boolean') continue
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return `contains ${v}, which JSON cannot carry`
      continue
    }
    if (typeof v !== 'object') return `contains a ${typeof v}, which JSON cannot carry`
    if (depth > maxDepth) return `nested more than ${maxDepth} levels deep`
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      stack.push(child)
      depths.push(depth + 1)
    }
  }
  return undefined
}

/** A task's output as a worker sent it: JSON within the limits every door applies (see {@link jsonProblem}). */
export function decodeOutput (bytes: Uint8Array | undefined, what: string): JsonValue | undefined {
  const value = decodeJson(bytes, what)
  if (value === undefined) return undefined
  const problem = jsonProblem(value)
  if (problem != null) throw new ProtocolError(`${what} ${problem}`)
  return value
}
