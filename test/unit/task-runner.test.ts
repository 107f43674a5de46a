import { describe, expect, it } from 'vitest'
import { DEFAULT_MAX_FRAME_BYTES, FIELD_LIMITS } from '../../src/protocol/constants.js'
import { Frame } from '../../src/protocol/pb/tasks.js'
import { checkResult } from '../../src/protocol/validate.js'
import { RESULT_FRAME_OVERHEAD_BYTES } from '../../src/worker/constants.js'
import { TaskRunner } from '../../src/worker/task-runner.js'
import type { JsonValue } from '../../src/core/task.js'
import type { TaskAssignment, TaskResult } from '../../src/protocol/pb/tasks.js'
import type { TaskHandler } from '../../src/worker/handlers.js'

const MAX_OUTPUT_BYTES = DEFAULT_MAX_FRAME_BYTES - RESULT_FRAME_OVERHEAD_BYTES

/** A value nested `levels` deep: arrays in arrays, the innermost empty. */
function nested (levels: number): JsonValue {
  let value: JsonValue = []
  for (let i = 1; i < levels; i++) value = [value]
  return value
}

/** The result of one attempt of a task run by `handler`, as the worker would send it. */
async function resultOf (handler: TaskHandler, taskId = 't', token = 'lease', traceparent = ''): Promise<TaskResult> {
  const runner = new TaskRunner({ worker: { name: 'w', skill: 1, capabilities: [] }, handlers: new Map([['work', handler]]), maxConcurrent: 1, maxOutputBytes: MAX_OUTPUT_BYTES })
  const finished = new Promise<TaskResult>(resolve => { runner.addEventListener('task:finished', ({ detail }) => { resolve(detail) }, { once: true }) })
  const assignment: TaskAssignment = { taskId, attempt: 1, token, description: '', type: 'work', difficulty: 0, payload: new Uint8Array(0), inputs: new Uint8Array(0), timeoutMs: 0, traceparent }
  runner.offer(assignment)
  return await finished
}

describe('TaskRunner: the trace context a handler gets', () => {
  it('is the assignment\'s when it is a W3C traceparent, and nothing when it is anything else', async () => {
    const seen: Array<string | undefined> = []
    const handler: TaskHandler = task => { seen.push(task.traceparent) }
    const valid = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
    for (const given of [valid, `${valid}\r\nx-injected: 1`, 'x'.repeat(10_000), '']) await resultOf(handler, 't', 'lease', given)
    expect(seen).toEqual([valid, undefined, undefined, undefined])
  })
})

describe('TaskRunner: what a handler returns, as a result', () => {
  it('an output nested 100,000 levels deep fails the attempt for good, naming the limit; the worker does not overflow', async () => {
    const result = await resultOf(() => nested(100_000))
    expect(result).toMatchObject({ success: false, unrecoverable: true, error: 'UnrecoverableError: the output cannot be sent: nested more than 64 levels deep (outputs follow the payload\'s rules: JSON values, at most 64 levels)' })
  })

  it('64 levels are an output; 65 are not', async () => {
    expect(await resultOf(() => nested(64))).toMatchObject({ success: true })
    expect(await resultOf(() => nested(65))).toMatchObject({ success: false, error: expect.stringMatching(/nested more than 64 levels deep/) })
  })

  it('an output larger than a frame allows fails the attempt for good, saying by how much', async () => {
    const result = await resultOf(() => 'x'.repeat(MAX_OUTPUT_BYTES))
    expect(result).toMatchObject({ success: false, unrecoverable: true, error: `UnrecoverableError: output of ${MAX_OUTPUT_BYTES + 2} bytes exceeds the ${MAX_OUTPUT_BYTES}-byte frame limit; return less, or store it elsewhere and return a reference` })
  })

  it('no output at all is a success with no bytes', async () => {
    const result = await resultOf(() => undefined)
    expect(result).toMatchObject({ success: true, output: new Uint8Array(0) })
  })
  it('an output that just fits beside the longest task id and lease token still fits in one frame', async () => {
    const result = await resultOf(() => 'x'.repeat(MAX_OUTPUT_BYTES - 2), '€'.repeat(FIELD_LIMITS.taskId), 'k'.repeat(FIELD_LIMITS.token))
    expect(result).toMatchObject({ success: true })
    expect(Frame.encode({ result }).byteLength).toBeLessThanOrEqual(DEFAULT_MAX_FRAME_BYTES)
  })

  it('an error text longer than the admin accepts is cut to its limit, saying so', async () => {
    const result = await resultOf(() => { throw new Error('e'.repeat(100_000)) })
    expect(result.error).toMatch(/^e+ … \[cut: the error text is 100000 characters long\]$/)
    expect(result.error).toHaveLength(FIELD_LIMITS.error)
    expect(checkResult(result)).toBeUndefined()
  })
})
