import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

describe('the package as users import it', () => {
  it('resolves "taskmesh" to the build, with the classes docs/reference.md names', async () => {
    // a separate Node process resolves the package by name, through package.json's exports
    const script = "const m = await import('taskmesh'); console.log(JSON.stringify(['TaskManager', 'WorkerAgent', 'Scheduler', 'AdminClient', 'createMcpServer', 'taskAdmin', 'taskWorker'].map(k => [k, typeof m[k]])))"
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT })
    expect(Object.fromEntries(JSON.parse(stdout))).toEqual({
      TaskManager: 'function', WorkerAgent: 'function', Scheduler: 'function', AdminClient: 'function', createMcpServer: 'function', taskAdmin: 'function', taskWorker: 'function'
    })
  })

  it("runs docs/reference.md's example of the scheduling core as written", async () => {
    const page = await readFile(new URL('../../docs/reference.md', import.meta.url), 'utf8')
    const example = /`scheduler\.view` answers queries:\n\n```ts\n([\s\S]*?)```/.exec(page)?.[1]
    expect(example).toBeDefined()
    const script = `import { Scheduler, taskSpec } from 'taskmesh'\n${example!}`
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT })
    expect(stdout).toMatch(/^a -> w1\n/)
    expect(stdout).toMatch(/running: 1/)
  })
})
