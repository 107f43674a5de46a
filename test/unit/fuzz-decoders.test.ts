import fc from 'fast-check'
import * as varint from 'uint8-varint'
import { describe, expect, it } from 'vitest'
import { readFrames } from '../../src/protocol/frame-reader.js'
import { decodeJson } from '../../src/protocol/json.js'
import { ClientRequest } from '../../src/protocol/pb/client.js'
import { StatusMessage } from '../../src/protocol/pb/status.js'
import { Frame } from '../../src/protocol/pb/tasks.js'
import { checkAssignment, checkResult, loadProblem, registerProblems } from '../../src/protocol/validate.js'
import { normalizeTasks } from '../../src/tasks/normalize.js'
import type { MessageStream } from '@libp2p/interface'

const text = fc.string({ maxLength: 40 })
const frameArb: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({ register: fc.record({ name: text, skill: fc.double(), capabilities: fc.array(text, { maxLength: 5 }), maxConcurrent: fc.nat(), priority: fc.integer({ min: -1000, max: 1000 }), leases: fc.array(fc.record({ taskId: text, attempt: fc.nat(), token: text }), { maxLength: 3 }), version: text, types: fc.array(text, { maxLength: 5 }), resources: fc.array(fc.tuple(text, fc.double()), { maxLength: 3 }).map(entries => new Map(entries)) }) }),
  fc.record({ result: fc.record({ taskId: text, attempt: fc.nat(), token: text, success: fc.boolean(), output: fc.uint8Array({ maxLength: 50 }), error: text, durationMs: fc.double(), unrecoverable: fc.boolean() }) }),
  fc.record({ assignment: fc.record({ taskId: text, attempt: fc.nat(), token: text, description: text, type: text, difficulty: fc.double(), payload: fc.uint8Array({ maxLength: 50 }), inputs: fc.uint8Array({ maxLength: 50 }), timeoutMs: fc.nat(), traceparent: text }) }),
  fc.record({ heartbeat: fc.record({ running: fc.nat(), cpu: fc.double(), memoryBytes: fc.nat() }, { requiredKeys: ['running'] }) }),
  fc.record({ drain: fc.record({ reason: text }) })
)

/** Decoding must either give a value or throw an Error: never crash, hang or throw anything else. */
function decodesOrRejects<T> (decode: () => T): T | undefined {
  try {
    return decode()
  } catch (err) {
    expect(err).toBeInstanceOf(Error)
    return undefined
  }
}

/** Then everything the admin does next with a decoded frame must cope as well. */
function validate (frame: Frame | undefined): void {
  if (frame?.register != null) registerProblems(frame.register)
  if (frame?.result != null) {
    checkResult(frame.result)
    decodesOrRejects(() => decodeJson(frame.result!.output, 'output'))
  }
  if (frame?.assignment != null) checkAssignment(frame.assignment)
  if (frame?.heartbeat != null) loadProblem(frame.heartbeat)
}

function mutate (bytes: Uint8Array, edits: Array<[number, number, number]>): Uint8Array {
  let out = Uint8Array.from(bytes)
  for (const [kind, at, value] of edits) {
    const i = out.length === 0 ? 0 : at % out.length
    if (kind === 0 && out.length > 0) out[i] = value
    else if (kind === 1) out = out.slice(0, i)
    else out = Uint8Array.from([...out.slice(0, i), value, ...out.slice(i)])
  }
  return out
}
const edits = fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 })

describe('decoders under fuzzing', () => {
  it('survive 10,000 random byte strings (task, client and status messages)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), bytes => {
      validate(decodesOrRejects(() => Frame.decode(bytes)))
      decodesOrRejects(() => ClientRequest.decode(bytes))
      decodesOrRejects(() => StatusMessage.decode(bytes))
    }), { numRuns: 10_000 })
  })

  it('survive 10,000 mutations of valid frames', () => {
    fc.assert(fc.property(frameArb, edits, (frame, e) => {
      validate(decodesOrRejects(() => Frame.decode(mutate(Frame.encode(frame), e))))
    }), { numRuns: 10_000 })
  })

  it('hold their limits: a repeated field beyond its decoding limit does not decode; within it, the admin names what is too many', () => {
    const register = (capabilities: string[]): Frame => ({ register: { name: 'w', skill: 1, capabilities, maxConcurrent: 1, priority: 0, leases: [], version: '2', types: ['simulate'], resources: new Map() } })
    const many = (n: number): string[] => Array.from({ length: n }, (_, i) => `c${i}`)
    expect(() => Frame.decode(Frame.encode(register(many(1025))))).toThrow(expect.objectContaining({ name: 'MaxLengthError', message: 'Decode error - repeated field "capabilities" had too many elements' }))
    expect(registerProblems(Frame.decode(Frame.encode(register(many(65)))).register!)).toEqual([{ path: 'capabilities', message: '65 capabilities, more than 64' }])
  })

  it('normalize any JSON value into tasks or a list of problems, never an exception', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), value => {
      const { specs, problems } = normalizeTasks(value)
      expect(Array.isArray(specs) && Array.isArray(problems)).toBe(true)
    }), { numRuns: 3_000 })
  })
})

describe('framing', () => {
  it('gives back the frames that were sent, whole and in order, however the bytes are split', () => {
    fc.assert(fc.property(fc.array(frameArb, { minLength: 1, maxLength: 20 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 50 }), (frames, cuts) => {
      const bytes = Buffer.concat(frames.flatMap(f => { const b = Frame.encode(f); return [varint.encode(b.byteLength), b] }))
      const received: Frame[] = []
      const stream = fakeStream()
      readFrames(stream, Frame, { maxFrameBytes: 1 << 20, onFrame: f => received.push(f), onInvalid: err => { throw err } })
      let at = 0
      for (let i = 0; at < bytes.length; i++) {
        const size = cuts[i % cuts.length]!
        stream.dispatch(bytes.subarray(at, at + size))
        at += size
      }
      expect(received.map(f => Frame.encode(f))).toEqual(frames.map(f => Frame.encode(f)))
    }), { numRuns: 1_000 })
  })
})

/** Just enough of a MessageStream for the reader: message events in, abort recorded. */
function fakeStream (): MessageStream & { dispatch(data: Uint8Array): void } {
  const target = new EventTarget()
  return Object.assign(target, {
    status: 'open',
    abort: () => {},
    dispatch (data: Uint8Array) { target.dispatchEvent(Object.assign(new Event('message'), { data })) }
  }) as never
}
