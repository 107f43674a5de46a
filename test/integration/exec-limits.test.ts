import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_MAX_FRAME_BYTES } from '../../src/protocol/constants.js'
import { encodeJson } from '../../src/protocol/json.js'
import { EXEC_MAX_LOG_LINE_BYTES, RESULT_FRAME_OVERHEAD_BYTES } from '../../src/worker/constants.js'
import { ExecBridge, type ExecBridgeEvents } from '../../src/worker/exec-bridge.js'
import { cutNote } from '../../src/worker/line-splitter.js'
import { TaskRunner } from '../../src/worker/task-runner.js'
import type { JsonValue } from '../../src/core/task.js'
import type { TaskResult } from '../../src/protocol/pb/tasks.js'
import type { TaskContext } from '../../src/worker/handlers.js'

const CHILD = fileURLToPath(new URL('../fixtures/exec-hostile-child.mjs', import.meta.url))
const COMMAND = `${JSON.stringify(process.execPath)} ${JSON.stringify(CHILD)}`
const NOTE = cutNote(EXEC_MAX_LOG_LINE_BYTES)

const task = (id: string, payload: unknown): TaskContext => ({ id, attempt: 1, description: '', type: 'hostile', difficulty: 0, payload: payload as never, inputs: {}, worker: { name: 'w', skill: 1, capabilities: [] } })
const noSignal = { signal: new AbortController().signal }

function nested (levels: number): JsonValue {
  let value: JsonValue = []
  for (let i = 1; i < levels; i++) value = [value]
  return value
}

/** A bridge to the hostile child, with every event it sends kept, and a way to wait for one. */
function bridgeTo (maxLineBytes?: number): { bridge: ExecBridge, seen: Array<{ type: keyof ExecBridgeEvents, detail: any }>, until(match: (e: { type: string, detail: any }) => boolean): Promise<void> } {
  const bridge = new ExecBridge({ command: COMMAND, ...(maxLineBytes != null ? { maxLineBytes } : {}) })
  bridges.push(bridge)
  const seen: Array<{ type: keyof ExecBridgeEvents, detail: any }> = []
  const waiters = new Set<() => void>()
  for (const type of ['log', 'progress', 'invalid', 'exit'] as const) {
    bridge.addEventListener(type, ({ detail }: CustomEvent) => {
      seen.push({ type, detail })
      for (const wake of waiters) wake()
    })
  }
  const until = async (match: (e: { type: string, detail: any }) => boolean): Promise<void> => {
    await within(new Promise<void>(resolve => {
      const check = (): void => { if (seen.some(match)) { waiters.delete(check); resolve() } }
      waiters.add(check)
      check()
    }), 'the awaited event')
  }
  return { bridge, seen, until }
}

/** What `work` gives, or an error once `ms` pass. */
async function within<T> (work: T | Promise<T>, what: string, ms = 20_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${what} did not come within ${ms} ms`)) }, ms) })
  try {
    return await Promise.race([Promise.resolve(work), late])
  } finally {
    clearTimeout(timer)
  }
}

const bridges: ExecBridge[] = []
afterEach(async () => {
  for (const bridge of bridges.splice(0)) await bridge.stop()
})

/** The doors of the --exec bridge hold against a child that breaks the protocol's limits. */
describe('the --exec bridge against a child that breaks its limits', () => {
  it('a stderr line of 32 MiB without a newline is cut at the stated limit, saying so; the next line comes whole', async () => {
    const { bridge, seen, until } = bridgeTo()
    await bridge.start()
    expect(await within(bridge.handler()(task('flood', { do: 'stderr-flood', bytes: 32 << 20 }), noSignal), 'the answer')).toBe('flooded')
    await until(e => e.type === 'log' && e.detail.message === 'after the flood')
    const logs = seen.filter(e => e.type === 'log').map(e => e.detail.message as string)
    expect(logs).toEqual([`${'x'.repeat(EXEC_MAX_LOG_LINE_BYTES)}${NOTE}`, 'after the flood'])
  })

  it('a ready naming more task types, or longer ones, than a registration may list is a startup error naming the limit', async () => {
    for (const [types, problem] of [
      [Array.from({ length: 300 }, (_, i) => `t${i}`), /types: 300 task types, more than 256/],
      [['x'.repeat(5000)], /types: task type "x{40}/]
    ] as const) {
      const ready = JSON.stringify({ ready: { types } })
      const bridge = new ExecBridge({ command: `${JSON.stringify(process.execPath)} -e ${JSON.stringify(`process.stdout.write(${JSON.stringify(ready + '\n')}); setInterval(() => {}, 1000)`)}` })
      bridges.push(bridge)
      await expect(bridge.start()).rejects.toThrow(problem)
    }
  })

  it('log and progress texts are cut at the same limit', async () => {
    const { bridge, seen, until } = bridgeTo()
    await bridge.start()
    await within(bridge.handler()(task('chatty', { do: 'long-text', bytes: 100_000 }), noSignal), 'the answer')
    await until(e => e.type === 'progress')
    expect(seen.find(e => e.type === 'log')?.detail).toMatchObject({ taskId: 'chatty', message: `${'l'.repeat(EXEC_MAX_LOG_LINE_BYTES)}${NOTE}` })
    expect(seen.find(e => e.type === 'progress')?.detail).toMatchObject({ taskId: 'chatty', message: `${'p'.repeat(EXEC_MAX_LOG_LINE_BYTES)}${NOTE}` })
  })

  it('a log message nested 100,000 levels deep is reported as such, and the worker goes on', async () => {
    const { bridge, seen } = bridgeTo()
    await bridge.start()
    expect(await within(bridge.handler()(task('deep', { do: 'deep-log' }), noSignal), 'the answer')).toBe('logged deep')
    expect(seen.find(e => e.type === 'log')?.detail).toEqual({ level: 'info', taskId: 'deep', message: '(a log message nested more than 64 levels deep)' })
  })

  it('a stdout line longer than the limit, over many reads, fails the attempt it names; the next task runs', async () => {
    const { bridge, seen } = bridgeTo(64 * 1024)
    await bridge.start()
    const run = bridge.handler()
    await expect(within(run(task('huge', { do: 'long-result', bytes: 1 << 20 }), noSignal), 'the failure')).rejects.toThrow('the --exec child sent a line longer than 65536 bytes')
    expect(seen.filter(e => e.type === 'invalid').map(e => e.detail)).toEqual([{ reason: 'a line longer than 65536 bytes', taskId: 'huge' }])
    expect(await within(run(task('after', { n: 1 }), noSignal), 'the answer')).toEqual({ n: 1 })
  })
  it('a result nested 100,000 levels deep fails the attempt for good, naming the limit, as the worker runs it', async () => {
    const { bridge } = bridgeTo()
    await bridge.start()
    const runner = new TaskRunner({ worker: { name: 'w', skill: 1, capabilities: [] }, handlers: new Map([['hostile', bridge.handler()]]), maxConcurrent: 1, maxOutputBytes: DEFAULT_MAX_FRAME_BYTES - RESULT_FRAME_OVERHEAD_BYTES })
    const offer = async (taskId: string, payload: unknown): Promise<TaskResult> => {
      const finished = new Promise<TaskResult>(resolve => { runner.addEventListener('task:finished', ({ detail }) => { resolve(detail) }, { once: true }) })
      runner.offer({ taskId, attempt: 1, token: 'lease', description: '', type: 'hostile', difficulty: 0, payload: encodeJson(payload), inputs: new Uint8Array(0), timeoutMs: 0, traceparent: '' })
      return await within(finished, `the result of ${taskId}`)
    }
    expect(await offer('deep', { do: 'deep-output', bytes: 100_000 })).toMatchObject({ success: false, unrecoverable: true, error: expect.stringMatching(/^UnrecoverableError: the output cannot be sent: nested more than 64 levels deep/) })
    expect(await offer('next', { n: 2 })).toMatchObject({ success: true, output: encodeJson({ n: 2 }) })
  })

  it('a task whose payload or an input is nested too deep to encode is refused before it reaches the child; ordinary inputs go through', async () => {
    const { bridge } = bridgeTo()
    await bridge.start()
    const run = bridge.handler()
    await expect(within(run(task('deep-in', nested(100_000)), noSignal), 'the refusal')).rejects.toThrow('the task cannot go to the --exec child: its payload or an input is nested more than 64 levels deep')
    expect(await within(run(task('next', { n: 3 }), noSignal), 'the answer')).toEqual({ n: 3 })
    // inputs are checked one by one, each against the same limit: ordinary ones go through, a deep one does not
    const withInputs = { ...task('with-inputs', { n: 4 }), inputs: { fetch: { rows: [{ id: 1 }] }, clean: [1, [2, [3]]] } }
    expect(await within(run(withInputs, noSignal), 'the answer')).toEqual({ n: 4 })
    await expect(within(run({ ...task('deep-input', null), inputs: { fetch: 1, clean: nested(100_000) } }, noSignal), 'the refusal')).rejects.toThrow('nested more than 64 levels deep')
  })
})
