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
    expect(lines[0]).toMatchObject({ ready: { types: ['crash-once', 'echo', 'garbage', 'refuse', 'slow', 'wait-cancel'], max_concurrent: 4 } })
    expect(lines).toContainEqual({ v: 1, result: { id: 'e', attempt: 1, output: { payload: { n: 1 }, inputs: { dep: 1 }, attempt: 1 } } })
    expect(lines).toContainEqual({ v: 1, error: { id: 'r', attempt: 1, message: 'this input can never work', unrecoverable: true } })
    expect(lines).toContainEqual({ v: 1, progress: { id: 'e', attempt: 1, message: 'echoing' } })
    expect(lines).toContainEqual({ v: 1, log: { id: 'e', attempt: 1, level: 'info', message: 'echo was called' } })
  })
})
