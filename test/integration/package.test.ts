import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

describe('the package as users import it', () => {
  it('resolves "taskmesh" to the build, with the classes the README names', async () => {
    // a separate Node process resolves the package by name, through package.json's exports
    const script = "const m = await import('taskmesh'); console.log(JSON.stringify(['TaskManager', 'WorkerAgent', 'Scheduler', 'AdminClient', 'createMcpServer', 'taskAdmin', 'taskWorker'].map(k => [k, typeof m[k]])))"
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT })
    expect(Object.fromEntries(JSON.parse(stdout))).toEqual({
      TaskManager: 'function', WorkerAgent: 'function', Scheduler: 'function', AdminClient: 'function', createMcpServer: 'function', taskAdmin: 'function', taskWorker: 'function'
    })
  })
})
