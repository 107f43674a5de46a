import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

describe('the package as users install and import it', () => {
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

  it('packs into a tarball that installs as a command and runs with no clone: --version, simulate in processes, the Python helper', async () => {
    const run = promisify(execFile)
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-install-'))
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }
    // the build is the one npm test made (npm pack would build it again through "prepare")
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT })
    const prefix = join(dir, 'prefix')
    // from npm's cache where it can: the dependencies are those npm install fetched for this clone
    await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(dir, `taskmesh-${version}.tgz`)], { cwd: dir, timeout: 240_000 })
    const taskmesh = join(prefix, 'bin', 'taskmesh')
    // run from a directory outside the clone, with nothing of it on the way
    expect((await run(taskmesh, ['--version'], { cwd: dir })).stdout.trim()).toBe(version)
    const { stdout } = await run(taskmesh, ['simulate', '--processes', '--json'], { cwd: dir, timeout: 60_000 })
    const summary = stdout.trim().split('\n').map(l => JSON.parse(l) as { event: string }).find(e => e.event === 'summary')
    expect(summary).toMatchObject({ total: 3, succeeded: 3, failed: 0 })
    expect(existsSync(join(prefix, 'lib', 'node_modules', 'taskmesh', 'python', 'taskmesh_agent.py'))).toBe(true)
  }, 300_000)
})
