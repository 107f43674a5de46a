import { mkdtemp, mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliProcesses, runCli } from '../helpers/cli.js'

const { start } = cliProcesses()
const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0']

describe('settings: config file, environment, command line', () => {
  it('reads the seed\'s task_manager shape; the command line beats the environment, which beats the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-config-'))
    await mkdir(join(dir, 'jobs'))
    await writeFile(join(dir, 'jobs', 'tasks.yaml'), '- { id: 1, difficulty: 2 }\n- { id: 2, difficulty: 4, depends_on: [1] }\n')
    await writeFile(join(dir, 'taskmesh.yaml'), [
      'task_manager:',
      '  id: "task-manager-1"',
      '  name: "TaskManager"',
      '  network: file-net',
      '  scheduling_interval: 60',
      '  monitoring_interval: 300',
      '  alert_thresholds:',
      '    task_duration: 3600',
      '    resource_usage: 0.8',
      '    dependency_wait: 300',
      '    failure_rate: 0.1',
      '  tasks: jobs/tasks.yaml   # relative to this file',
      '  http: 0',
      '  listen: [/ip4/127.0.0.1/tcp/0]',
      'worker:',
      '  name: from-file',
      '  skill: 5',
      '  capabilities: [gpu, python]',
      ''
    ].join('\n'))
    // run from elsewhere: relative paths in the file are the file's
    const admin = start(['admin', '--config', join(dir, 'taskmesh.yaml'), '--id', 'from-cli', '--json'], { env: { TASKMESH_ADMIN_NETWORK: 'from-env', TASKMESH_ADMIN_ID: 'from-env' }, cwd: tmpdir() })
    const { addrs, http } = await admin.waitForEvent('listening')
    const summary = await (await fetch(`${http}/api/summary`)).json()
    expect(summary).toMatchObject({ id: 'from-cli', name: 'TaskManager', network: 'from-env', total: 2 })

    // the worker takes its section, and its admin from the environment
    start(['worker', '--config', join(dir, 'taskmesh.yaml'), '--json'], { env: { TASKMESH_WORKER_ADMIN: addrs[0], TASKMESH_WORKER_NETWORK: 'from-env' } })
    const joined = await admin.waitForEvent('worker:connected')
    expect(joined).toMatchObject({ name: 'from-file', skill: 5, capabilities: ['gpu', 'python'] })
    await admin.waitFor(e => e.event === 'task:completed' && e.id === '2')
  })

  it('names every bad key, section and value of a config file, and the variable of a bad environment value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-config-'))
    const file = join(dir, 'bad.yaml')
    await writeFile(file, [
      'task_manager:',
      '  capabilities: [task_management]',
      '  scheduling_interval: soon',
      '  alert_thresholds:',
      '    failure_rat: 0.1',
      '    resource_usage: -1',
      '  http: everywhere',
      '  mdns: yes please',
      'workr:',
      '  name: x',
      ''
    ].join('\n'))
    const bad = await runCli(['admin', '--config', file])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain(`${file}: 7 problems`)
    expect(bad.stderr).toContain('workr: unknown section; did you mean "worker"?')
    expect(bad.stderr).toContain('task_manager.capabilities: not a setting of "taskmesh admin"')
    expect(bad.stderr).toContain('task_manager.scheduling_interval: expected a number of at least 0.01')
    expect(bad.stderr).toContain('task_manager.alert_thresholds.failure_rat: not a setting of "taskmesh admin"; did you mean "failure_rate"?')
    expect(bad.stderr).toContain('task_manager.alert_thresholds.resource_usage: expected a number of at least 0')
    expect(bad.stderr).toContain('task_manager.http: expected a port, or HOST:PORT')
    expect(bad.stderr).toContain('task_manager.mdns: expected true or false')

    const yaml = join(dir, 'broken.yaml')
    await writeFile(yaml, 'task_manager:\n  name: [unclosed\n')
    const broken = await runCli(['admin', '--config', yaml])
    expect(broken.code).toBe(2)
    expect(broken.stderr).toMatch(new RegExp(`${yaml}: invalid\\n  not valid YAML: `))

    const missing = await runCli(['admin', '--config', join(dir, 'nope.yaml')])
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('nope.yaml: invalid\n  cannot read the config file: no such file') })

    const env = await runCli(['admin', ...LOOPBACK], { env: { TASKMESH_ADMIN_MAX_WORKERS: 'many', TASKMESH_ADMIN_MDNS: 'maybe' } })
    expect(env.code).toBe(2)
    expect(env.stderr).toContain('environment: 2 problems')
    expect(env.stderr).toContain('TASKMESH_ADMIN_MAX_WORKERS: expected a whole number from 1 up (for --max-workers <n>)')
    expect(env.stderr).toContain('TASKMESH_ADMIN_MDNS: expected true or false (or 1/0, yes/no) (for --mdns)')

    const worker = await runCli(['worker', '--name', 'w', '--skill', '3'])
    expect(worker.code).toBe(2)
    expect(worker.stderr).toContain('required option \'--admin <multiaddr>\' not specified (give it on the command line, as TASKMESH_WORKER_ADMIN, or as worker.admin in a --config file)')
  })

  it('will not serve the HTTP API beyond loopback without a token', async () => {
    const open = await runCli(['admin', ...LOOPBACK, '--http', '0.0.0.0:0'])
    expect(open.code).toBe(2)
    expect(open.stderr).toContain('--http: the HTTP API would listen on 0.0.0.0, beyond this machine, without a token: give one with --http-token FILE')

    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-token-'))
    await writeFile(join(dir, 'short'), 'abc\n')
    const short = await runCli(['admin', ...LOOPBACK, '--http', '0.0.0.0:0', '--http-token', join(dir, 'short')])
    expect(short.code).toBe(2)
    expect(short.stderr).toContain(`${join(dir, 'short')}: invalid\n  the HTTP token must be one line of 16 to 4096 bytes without spaces`)
  })
})

describe('logs', () => {
  it('--log-format json --log-level debug: every admin event as a JSON record on stderr; stdout keeps its events', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-logs-'))
    await writeFile(join(dir, 'tasks.json'), JSON.stringify([{ id: 'a' }, { id: 'b', payload: { fail: 'on purpose' } }, { id: 'slow', payload: { durationMs: 2000 } }]))
    const admin = start(['admin', ...LOOPBACK, '--tasks', join(dir, 'tasks.json'), '--exit-when-done', '--json', '--log-format', 'json', '--log-level', 'debug', '--alert-task-duration', '0.1', '--monitoring-interval', '0.05'])
    const { addrs } = await admin.waitForEvent('listening')
    start(['worker', '--admin', addrs[0], '--name', 'w', '--skill', '5', '--json'])
    expect(await admin.exit()).toBe(1)
    const records = admin.stderr.split('\n').filter(l => l !== '').map(l => JSON.parse(l) as Record<string, any>)
    expect(records.every(r => r.name === 'admin' && typeof r.time === 'number' && typeof r.level === 'number')).toBe(true)
    const completed = records.filter(r => r.event === 'task:completed')
    expect(completed.map(r => [r.level, r.detail.id, r.detail.status])).toEqual([[20, 'a', 'succeeded'], [20, 'b', 'failed'], [20, 'slow', 'succeeded']])
    // the slow task raised an alert (warn) that resolved when it finished (info)
    expect(records.find(r => r.alert === 'task_duration' && r.level === 40)).toMatchObject({ subject: 'slow', threshold: 0.1, msg: expect.stringMatching(/^alert task_duration: task slow has run on w for/) })
    expect(records.find(r => r.alert === 'task_duration' && r.level === 30)).toMatchObject({ subject: 'slow', msg: 'alert task_duration resolved (slow)' })
    expect(admin.events.filter(e => e.event.startsWith('alert:')).map(e => e.event)).toEqual(['alert:fired', 'alert:resolved'])
    // stdout is untouched by logging: JSON events only
    expect(admin.lines.every(l => JSON.parse(l).event != null)).toBe(true)
  })

  it('the default level leaves out debug records; libp2p\'s own debug logs come through DEBUG', async () => {
    const admin = start(['admin', ...LOOPBACK, '--json'], { env: { DEBUG: 'taskmesh:*,libp2p:tcp*' } })
    const { addrs } = await admin.waitForEvent('listening')
    start(['worker', '--admin', addrs[0], '--name', 'w', '--skill', '5', '--json'])
    await admin.waitForEvent('worker:connected')
    await admin.waitUntil(() => /libp2p:tcp/.test(admin.stderr))
    expect(admin.stderr).not.toMatch(/"event":"worker:connected"/)
    expect(admin.stderr).not.toMatch(/DEBUG/)
  })
})
