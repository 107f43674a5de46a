import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { taskBatching, unbatch } from '../../src/protocol/batching.js'
import { MAX_BATCH_BYTES, MAX_BATCH_ITEMS } from '../../src/protocol/constants.js'
import { FrameDecoder } from '../../src/protocol/frame-reader.js'
import { FrameWriter } from '../../src/protocol/frame-writer.js'
import { Frame } from '../../src/protocol/pb/tasks.js'
import type { Stream } from '@libp2p/interface'

/** The part of a stream a writer uses, keeping what it sends. */
function sink (): { stream: Stream, sent: Uint8Array[] } {
  const sent: Uint8Array[] = []
  const stream = { status: 'open', writeStatus: 'writable', send: (data: Uint8Array) => { sent.push(data.slice()); return true }, abort: () => { throw new Error('aborted') } }
  return { stream: stream as unknown as Stream, sent }
}

const bytes = (n: number): Uint8Array<ArrayBuffer> => new Uint8Array(n).fill(0x31)
const assignment = (taskId: string, payload: number): Frame => ({ assignment: { taskId, attempt: 1, token: 't', description: '', type: 'simulate', difficulty: 1, payload: bytes(payload), inputs: new Uint8Array(0), timeoutMs: 0, traceparent: '' } })
const result = (taskId: string, output: number): Frame => ({ result: { taskId, attempt: 1, token: 't', success: true, output: bytes(output), error: '', durationMs: 1, unrecoverable: false } })
const ack = (taskId: string): Frame => ({ resultAck: { taskId, attempt: 1, accepted: true } })
const cancel = (taskId: string): Frame => ({ cancel: { taskId, attempt: 1, reason: 'x' } })

/** A frame's kind and id, to compare what was written with what was read. */
const label = (f: Frame): string => f.assignment != null ? `assignment ${f.assignment.taskId}` : f.result != null ? `result ${f.result.taskId}` : f.resultAck != null ? `ack ${f.resultAck.taskId}` : `cancel ${f.cancel!.taskId}`
/**
 * Frames as a receiver may see them: a frame that travels alone keeps its place; the items of a run of frames
 * that may be batched may come in any order (they do not depend on each other), so each run is sorted.
 */
function canonical (frames: Frame[]): string[] {
  const out: string[] = []
  let run: string[] = []
  for (const f of [...frames, undefined]) {
    if (f != null && taskBatching.size(f) != null) { run.push(label(f)); continue }
    out.push(...run.sort())
    run = []
    if (f != null) out.push(label(f))
  }
  return out
}

const frameArb = fc.tuple(fc.constantFrom('assignment', 'result', 'ack', 'ack', 'ack', 'cancel'), fc.oneof(fc.nat({ max: 100 }), fc.nat({ max: 30_000 })), fc.nat()).map(([kind, size, n]) => {
  const id = `t${n}`
  return kind === 'assignment' ? assignment(id, size) : kind === 'result' ? result(id, size) : kind === 'ack' ? ack(id) : cancel(id)
})

describe('batches on the task stream', () => {
  it('keeps every frame, each that travels alone in its place, within the limits of a batch', () => {
    fc.assert(fc.property(fc.array(fc.array(frameArb, { maxLength: 3000, size: 'large' }), { minLength: 1, maxLength: 3 }), turns => {
      const { stream, sent } = sink()
      const writer = new FrameWriter(stream, Frame, { maxBufferedBytes: 1 << 30, autoFlush: false })
      writer.batching = taskBatching
      const written: Frame[] = []
      for (const turn of turns) {
        for (const f of turn) writer.write(f)
        writer.flush()
        written.push(...turn)
      }
      const decoder = new FrameDecoder(4 << 20)
      const read: Frame[] = []
      for (const chunk of sent) {
        for (const buf of decoder.decode(chunk)) {
          const frame = Frame.decode(buf)
          if (frame.batch == null) { read.push(frame); continue }
          const items = [...unbatch(frame.batch)]
          expect(buf.byteLength).toBeLessThanOrEqual(MAX_BATCH_BYTES)
          expect(items.length).toBeGreaterThan(1)
          expect(items.length).toBeLessThanOrEqual(MAX_BATCH_ITEMS)
          read.push(...items)
        }
      }
      expect(canonical(read)).toEqual(canonical(written))
    }), { numRuns: 60 })
  })

  it('sends a large body alone, and a run of small ones as one frame', () => {
    const { stream, sent } = sink()
    const writer = new FrameWriter(stream, Frame, { maxBufferedBytes: 1 << 30, autoFlush: false })
    writer.batching = taskBatching
    writer.write(ack('a'))
    writer.write(assignment('b', 10))
    writer.write(assignment('big', MAX_BATCH_BYTES))
    writer.write(result('c', 10))
    writer.flush()
    const decoder = new FrameDecoder(4 << 20)
    const frames = [...decoder.decode(sent[0]!)].map(b => Frame.decode(b))
    expect(frames.map(f => f.batch != null ? `batch of ${[...unbatch(f.batch)].length}` : label(f))).toEqual(['batch of 2', 'assignment big', 'result c'])
  })

  it('splits a long run at the most items, and at the most bytes, a batch may hold', () => {
    const sizes = (frames: Frame[]): number[] => {
      const { stream, sent } = sink()
      const writer = new FrameWriter(stream, Frame, { maxBufferedBytes: 1 << 30, autoFlush: false })
      writer.batching = taskBatching
      for (const f of frames) writer.write(f)
      writer.flush()
      return [...new FrameDecoder(4 << 20).decode(sent[0]!)].map(b => {
        expect(b.byteLength).toBeLessThanOrEqual(MAX_BATCH_BYTES)
        return [...unbatch(Frame.decode(b).batch!)].length
      })
    }
    expect(sizes(Array.from({ length: 2500 }, (_, i) => ack(`a${i}`)))).toEqual([MAX_BATCH_ITEMS, MAX_BATCH_ITEMS, 2500 - 2 * MAX_BATCH_ITEMS])
    // bodies of 10 KiB: a handful per batch
    const big = sizes(Array.from({ length: 40 }, (_, i) => result(`r${i}`, 10 * 1024)))
    expect(big.reduce((a, b) => a + b)).toBe(40)
    expect(Math.max(...big)).toBeLessThan(7)
  })

  it('batches nothing for a peer that does not read batches', () => {
    const { stream, sent } = sink()
    const writer = new FrameWriter(stream, Frame, { maxBufferedBytes: 1 << 30, autoFlush: false })
    for (const id of ['a', 'b', 'c']) writer.write(ack(id))
    writer.flush()
    expect([...new FrameDecoder(4 << 20).decode(sent[0]!)].map(b => label(Frame.decode(b)))).toEqual(['ack a', 'ack b', 'ack c'])
  })
})
