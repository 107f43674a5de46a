import { MAX_BATCH_BYTES } from './constants.js'
import type { Batch, Frame } from './pb/tasks.js'

/** How a {@link FrameWriter} gathers a run of small frames into one (see `Batch` in tasks.proto). */
export interface Batching<T> {
  /** At most how many bytes the frame takes inside a batch; undefined when it travels alone. */
  size(frame: T): number | undefined
  /** One frame carrying a run of two or more, in the order the receiver handles them. */
  batch(frames: readonly T[]): T
}

/** Bytes of a body's tags, lengths and numbers around its strings and bytes, at most (6 a field, 9 a double). */
const OVERHEAD = { assignment: 80, result: 64, resultAck: 24 }
/** A body estimated larger than this travels alone: a batch holds several. */
const MAX_BATCHED_BODY = MAX_BATCH_BYTES / 4

/** UTF-8 takes at most 3 bytes per UTF-16 code unit. */
const text = (s: string): number => 3 * s.length

function bodySize (frame: Frame): number | undefined {
  const a = frame.assignment
  if (a != null) return OVERHEAD.assignment + text(a.taskId) + text(a.token) + text(a.description) + text(a.type) + text(a.traceparent) + a.payload.byteLength + a.inputs.byteLength
  const r = frame.result
  if (r != null) return OVERHEAD.result + text(r.taskId) + text(r.token) + text(r.error) + r.output.byteLength
  const ack = frame.resultAck
  if (ack != null) return OVERHEAD.resultAck + text(ack.taskId)
  return undefined
}

/**
 * The task stream's batches: assignments, results and result acknowledgements, each small enough. A batch
 * lists them by kind; the items of a run do not depend on each other's order, and the receiver handles
 * results, then acknowledgements, then assignments, as the admin writes them.
 */
export const taskBatching: Batching<Frame> = {
  size (frame) {
    // a frame with more than one body is invalid and goes alone, to be refused as such
    if (bodyCount(frame) !== 1) return undefined
    const size = bodySize(frame)
    return size != null && size <= MAX_BATCHED_BODY ? size : undefined
  },
  batch (frames) {
    const batch: Batch = { assignments: [], results: [], resultAcks: [] }
    for (const f of frames) {
      if (f.assignment != null) batch.assignments.push(f.assignment)
      else if (f.result != null) batch.results.push(f.result)
      else if (f.resultAck != null) batch.resultAcks.push(f.resultAck)
    }
    return { batch }
  }
}

/** Whether a side whose frame limit is `maxFrameBytes` can read batches, so asks for them (see MAX_BATCH_BYTES). */
export function readsBatches (maxFrameBytes: number): boolean {
  return maxFrameBytes >= MAX_BATCH_BYTES
}

/** How many bodies a frame carries: exactly one is valid (a Batch is one body). */
export function bodyCount (frame: Frame): number {
  let n = 0
  for (const key in frame) if ((frame as Record<string, unknown>)[key] != null) n++
  return n
}

/** The bodies of a batch, as the frames that would each have carried one, in the order they are handled. */
export function * unbatch (batch: Batch): Generator<Frame> {
  for (const result of batch.results) yield { result }
  for (const resultAck of batch.resultAcks) yield { resultAck }
  for (const assignment of batch.assignments) yield { assignment }
}
