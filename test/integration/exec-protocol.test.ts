import { spawn } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { ExecBridge } from '../../src/worker/exec-bridge.js'
import { commandMissing, requirement } from '../helpers/system.js'
import type { TaskContext } from '../../src/worker/handlers.js'

const python = requirement('the --exec protocol tests', commandMissing('python3', ['--version'], 'install Python 3.9 or newer (apt-get install python3)'))
const TEST_AGENT = fileURLToPath(new URL('../fixtures/python/test_agent.py', import.meta.url))
const RECORDER = fileURLToPath(new URL('../fixtures/python/recorder.py', import.meta.url))
const BATCH_AGENT = fileURLToPath(new URL('../fixtures/python/batch_agent.py', import.meta.url))
const schema = JSON.parse(await readFile(new URL('../../docs/exec-protocol.schema.json', import.meta.url), 'utf8'))
const validate = new Ajv2020({ strict: false }).compile(schema)

const task = (id: string, payload: unknown, type = 'record'): TaskContext => ({ id, attempt: 1, description: '', type, difficulty: 0, payload: payload as never, inputs: { dep: 1 }, worker: { name: 'w', skill: 1, capabilities: [] } })

/** Every message of docs/exec-protocol.md, both ways, checked against its JSON Schema. */
describe.skipIf(python.missing != null)(`the --exec protocol and its schema${python.note}`, () => {
  it('the worker\'s messages (task, cancel) match the schema, and the bridge matches answers to attempts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-exec-'))
    const log = join(dir, 'sent.jsonl')
    const bridge = new ExecBridge({ command: `python3 ${RECORDER} ${log}` })
    expect(await bridge.start()).toEqual({ types: ['record'], maxConcurrent: 2 })
    const run = bridge.handler()
    expect(await run(task('a', { x: 1 }), { signal: new AbortController().signal })).toEqual({ x: 1 })
    const controller = new AbortController()
    const reached = new Promise(resolve => { bridge.addEventListener('progress', resolve, { once: true }) })
    const hanging = run({ ...task('b', { hang: true }), timeoutMs: 60_000 }, { signal: controller.signal })
    await reached
    controller.abort(new Error('the task timed out after 60 s'))
    await expect(hanging).rejects.toThrow(/timed out/)
    await bridge.stop()
    const lines = (await readFile(log, 'utf8')).trim().split('\n').map(l => JSON.parse(l))
    expect(lines.map(l => Object.keys(l).filter(k => k !== 'v')[0])).toEqual(['task', 'task', 'cancel'])
    for (const line of lines) expect(validate(line), JSON.stringify(validate.errors)).toBe(true)
    expect(lines[1].task.deadline).toBeGreaterThan(Date.now())
  })

  it('a type the child takes in batches: the worker sends batch messages, the child answers each task on its own (schema-checked both ways)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-exec-batch-'))
    const log = join(dir, 'sent.jsonl')
    const bridge = new ExecBridge({ command: `python3 ${BATCH_AGENT} ${log}` })
    const ready = await bridge.start()
    expect(ready).toEqual({ types: ['embed'], batch: { embed: { max: 8, wait: 0.2 } } })
    const embed = bridge.handlerFor('embed', ready)
    const ids = ['a', 'b', 'c', 'bad']
    const settled = await Promise.allSettled(ids.map(async id => await embed(task(id, id === 'bad' ? { fail: true } : { text: id }, 'embed'), { signal: new AbortController().signal })))
    expect(settled.slice(0, 3)).toEqual(['a', 'b', 'c'].map(id => ({ status: 'fulfilled', value: { batch: 4, id } })))
    expect(settled[3]).toMatchObject({ status: 'rejected', reason: { name: 'UnrecoverableError', message: 'no vector for bad' } })
    await bridge.stop()
    const lines = (await readFile(log, 'utf8')).trim().split('\n').map(l => JSON.parse(l))
    expect(lines).toEqual([expect.objectContaining({ v: 1, batch: { type: 'embed', tasks: ids.map(id => expect.objectContaining({ id, attempt: 1, type: 'embed' })) } })])
    for (const line of lines) expect(validate(line), JSON.stringify(validate.errors)).toBe(true)
    expect(validate({ ready: { types: ['embed'], batch: { embed: { max: 8, wait: 0.2 } } } }), JSON.stringify(validate.errors)).toBe(true)
  })

  it('the Python helper\'s messages (ready, result, error, progress, log) match the schema', async () => {
    const child = spawn('python3', [TEST_AGENT], { stdio: ['pipe', 'pipe', 'inherit'] })
    const lines: unknown[] = []
    const done = new Promise<void>(resolve => {
      createInterface({ input: child.stdout }).on('line', line => {
        lines.push(JSON.parse(line))
        if (lines.length === 5) resolve()
      })
    })
    const send = (m: unknown): void => { child.stdin.write(`${JSON.stringify(m)}\n`) }
    send({ v: 1, task: { ...task('e', { n: 1 }, 'echo'), worker: { name: 'w', skill: 1, capabilities: [] } } })
    send({ v: 1, task: { ...task('r', null, 'refuse') } })
    await done
    child.stdin.end()
    await new Promise(resolve => child.once('exit', resolve))
    for (const line of lines) expect(validate(line), JSON.stringify(validate.errors)).toBe(true)
    expect(lines[0]).toMatchObject({ ready: { types: ['crash-once', 'deep-output', 'echo', 'garbage', 'not-json', 'refuse', 'slow', 'wait-cancel'], max_concurrent: 4 } })
    expect(lines).toContainEqual({ v: 1, result: { id: 'e', attempt: 1, output: { payload: { n: 1 }, inputs: { dep: 1 }, attempt: 1 } } })
    expect(lines).toContainEqual({ v: 1, error: { id: 'r', attempt: 1, message: 'this input can never work', unrecoverable: true } })
    expect(lines).toContainEqual({ v: 1, progress: { id: 'e', attempt: 1, message: 'echoing' } })
    expect(lines).toContainEqual({ v: 1, log: { id: 'e', attempt: 1, level: 'info', message: 'echo was called' } })
  })
  it('the Python helper survives any line: it answers an error for the attempt a bad line names, or logs it, and goes on', async () => {
    const child = spawn('python3', [TEST_AGENT], { stdio: ['pipe', 'pipe', 'inherit'] })
    const exited = new Promise<number | null>(resolve => child.once('exit', resolve))
    const lines: any[] = []
    const answers = (): string[] => lines.map(l => (l.result ?? l.error)?.id).filter(id => id != null)
    const answered = new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', line => {
        lines.push(JSON.parse(line))
        if (['nan', 'too-deep', 'ok'].every(id => answers().includes(id))) resolve()
      })
      void exited.then(code => { reject(new Error(`the agent exited (${code}) before it answered every task`)) })
    })
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`
    for (const line of [deep, `{"v": 1, "task": {"id": "deep", "attempt": 1, "type": "echo", "payload": ${deep}}}`, '[1]', '"x"', '{"task": 5}', '{"task": {"id": "t"}}', '{"cancel": [1]}']) {
      child.stdin.write(`${line}\n`)
    }
    child.stdin.write(Buffer.from([0xff, 0xfe, 0x0a]))
    for (const t of [task('nan', null, 'not-json'), task('too-deep', null, 'deep-output'), task('ok', { n: 1 }, 'echo')]) child.stdin.write(`${JSON.stringify({ v: 1, task: t })}\n`)
    await answered
    child.stdin.end()
    expect(await exited).toBe(0)
    for (const line of lines) expect(validate(line), JSON.stringify(validate.errors)).toBe(true)
    const log = (message: string): unknown => ({ v: 1, log: { level: 'error', message } })
    const error = (id: string, message: string, unrecoverable: boolean): unknown => ({ v: 1, error: { id, attempt: 1, message, unrecoverable } })
    // each bad line is answered in turn, before the tasks after it
    expect(lines.slice(1, 9)).toEqual([
      log(`the worker sent a line nested deeper than Python decodes: ${'['.repeat(120)}`),
      error('deep', 'the worker sent a line nested deeper than Python decodes', false),
      log('the worker sent a line that is not a JSON object: [1]'),
      log('the worker sent a line that is not a JSON object: "x"'),
      log('the worker sent a task that is not an object: {"task": 5}'),
      log('the worker sent a task without an attempt number: {"task": {"id": "t"}}'),
      log('the worker sent a cancel that names no attempt: {"cancel": [1]}'),
      log('the worker sent a line that is not JSON: \ufffd\ufffd')
    ])
    expect(lines).toContainEqual(error('nan', 'the handler\'s output is not JSON: Out of range float values are not JSON compliant', true))
    expect(lines).toContainEqual(error('too-deep', 'the handler\'s output is nested too deep to encode (the worker takes at most 64 levels)', true))
    expect(lines).toContainEqual({ v: 1, result: { id: 'ok', attempt: 1, output: { payload: { n: 1 }, inputs: { dep: 1 }, attempt: 1 } } })
  })
})
