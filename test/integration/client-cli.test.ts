import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliProcesses, runCli } from '../helpers/cli.js'

const { start } = cliProcesses()

describe('talking to a running admin from the CLI', () => {
  it('submit --wait, status, tasks, history, cancel and retry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-client-'))
    const dataDir = join(dir, 'state')
    const admin = start(['admin', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--on-no-worker', 'fail', '--wait-for-worker', '0.2', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    const at = addrs[0]
    start(['worker', '--admin', at, '--name', 'w1', '--skill', '5', '--max-concurrent', '2', '--json'])
    await admin.waitForEvent('worker:connected')

    // submit and wait: the tutorial
    const { code, events } = await runCli(['submit', '--admin', at, '--tasks', new URL('../fixtures/tutorial.json', import.meta.url).pathname, '--wait', '--json'])
    // task 3 needs skill 8: no worker can, and the admin was told to fail such tasks
    expect(code).toBe(1)
    expect(events[0]).toEqual({ event: 'submitted', added: ['1', '2', '3'], existing: [] })
    expect(events.at(-1)).toMatchObject({ event: 'summary', total: 3, succeeded: 2, failed: 1 })
    expect(events.at(-1)!.tasks[2]).toMatchObject({ id: '3', status: 'failed', error: expect.stringMatching(/^no connected worker has skill >= 8 after waiting/) })

    const status = (await runCli(['status', '--admin', at, '--json'])).events[0]!
    expect(status.summary).toMatchObject({ total: 3, counts: { succeeded: 2, failed: 1 }, strategy: 'skill-fit', network: 'default' })
    expect(status.workers).toEqual([expect.objectContaining({ name: 'w1', skill: 5, capacity: 2, completed: 2, failed: 0, online: true, successRate: 1 })])

    const failed = (await runCli(['tasks', '--admin', at, '--state', 'failed', '--json'])).events[0]!
    expect(failed).toMatchObject({ total: 1, tasks: [{ id: '3', state: 'failed' }] })

    const history = (await runCli(['history', '1', '--admin', at, '--json'])).events[0]!
    expect(history.entries.map((e: { event: string }) => e.event)).toEqual(['submitted', 'assigned', 'succeeded'])
    // for people: local times and durations, not epoch numbers or ISO stamps
    const table = (await runCli(['history', '1', '--admin', at])).stdout
    expect(table).toMatch(/│ (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d\.\d{3} │/)
    expect(table).not.toMatch(/\d{4}-\d\d-\d\dT|\d{13}/)

    // a capable worker arrives; retry puts the failed task back and it completes
    start(['worker', '--admin', at, '--name', 'w2', '--skill', '9', '--json'])
    await admin.waitForEvent('worker:connected', e => e.name === 'w2')
    expect((await runCli(['retry', '3', '--admin', at, '--json'])).events[0]).toEqual({ event: 'retried', id: '3' })
    await admin.waitForEvent('task:completed', e => e.id === '3' && e.status === 'succeeded')

    // cancel a long task while it runs
    const long = join(dir, 'long.json')
    await writeFile(long, JSON.stringify([{ id: 'long', payload: { durationMs: 60000 } }]))
    await runCli(['submit', '--admin', at, '--tasks', long])
    await admin.waitForEvent('task:assigned', e => e.taskId === 'long')
    expect((await runCli(['cancel', 'long', '--admin', at, '--reason', 'changed my mind', '--json'])).events[0]).toEqual({ event: 'cancelled', id: 'long', cancelled: true })
    await admin.waitForEvent('task:completed', e => e.id === 'long' && e.status === 'cancelled' && e.error === 'changed my mind')

    // the history outlives the admin: read from its data directory once it has stopped
    admin.kill('SIGTERM')
    await admin.exited
    const offline = (await runCli(['history', '3', '--data-dir', dataDir, '--json'])).events[0]!
    expect(offline.entries.map((e: { event: string }) => e.event)).toEqual(['submitted', 'failed', 'retried', 'assigned', 'succeeded'])
  }, 60_000)

  it('results: result prints an output as it is, tasks --output and history show it, from a running admin and from its journal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-client-'))
    const dataDir = join(dir, 'state')
    const file = join(dir, 'tasks.json')
    const big = 'y'.repeat(3 * 1024 * 1024)
    await writeFile(file, JSON.stringify([
      { id: 'text', payload: { output: 'line one\nline two \u001b[31mred' } },
      { id: 'json', payload: { output: { words: 3, tags: ['a', 'b'] } } },
      { id: 'bad', payload: { fail: 'the model refused' } },
      // three outputs of 3 MiB do not fit one page's 8 MiB: the last says its size instead
      ...['big1', 'big2', 'big3'].map(id => ({ id, payload: { output: big } })),
      { id: 'later', depends_on: ['bad'] }
    ]))
    const admin = start(['admin', '--data-dir', dataDir, '--tasks', file, '--max-payload-bytes', '4000000', '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    const at = addrs[0]
    start(['worker', '--admin', at, '--name', 'w1', '--skill', '5', '--max-concurrent', '4', '--json'])
    await admin.waitUntil(() => admin.events.filter(e => e.event === 'task:completed').length === 7)

    // a text as it is (to a pipe: nothing escaped), other values as indented JSON (the helper joins stdout's lines)
    expect(await runCli(['result', 'text', '--admin', at])).toMatchObject({ code: 0, stdout: 'line one\nline two \u001b[31mred' })
    expect(await runCli(['result', 'json', '--admin', at])).toMatchObject({ code: 0, stdout: JSON.stringify({ words: 3, tags: ['a', 'b'] }, null, 2) })
    expect((await runCli(['result', 'json', '--admin', at, '--json'])).events).toEqual([{ event: 'result', id: 'json', state: 'succeeded', output: { words: 3, tags: ['a', 'b'] } }])
    // no output: the error on stderr, exit 1
    expect(await runCli(['result', 'bad', '--admin', at])).toMatchObject({ code: 1, stdout: '', stderr: 'task bad failed for good after 1 attempt: the model refused\n' })
    expect(await runCli(['result', 'later', '--admin', at])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^task later was skipped: /) })
    expect(await runCli(['result', 'nope', '--admin', at])).toMatchObject({ code: 1, stderr: expect.stringMatching(/nope/) })

    const page = (await runCli(['tasks', '--admin', at, '--output', '--json'])).events[0]!
    expect(page.tasks.find((t: { id: string }) => t.id === 'json')).toMatchObject({ output: { words: 3, tags: ['a', 'b'] } })
    // with --json every output comes whole, those left out of the page asked for one by one
    expect(page.tasks.filter((t: { output?: string }) => t.output === big).map((t: { id: string }) => t.id)).toEqual(['big1', 'big2', 'big3'])
    expect(page.tasks.some((t: { outputBytes?: number }) => t.outputBytes != null)).toBe(false)
    const table = (await runCli(['tasks', '--admin', at, '--output'])).stdout
    expect(table).toMatch(/text .*line one\\nline two \\x1b\[31mred/)
    expect(table).toMatch(/big3 .*\(3,145,730 bytes: taskmesh result big3\)/)
    expect(table).toMatch(/bad .*the model refused/)

    // history ends with how the task stands, and its output
    const history = await runCli(['history', 'json', '--admin', at])
    expect(history.stdout).toMatch(/task json succeeded on w1 \(1 attempt\)\noutput: \{"words":3,"tags":\["a","b"\]\}$/)
    expect((await runCli(['history', 'bad', '--admin', at, '--json'])).events[0]).toMatchObject({ event: 'history', id: 'bad', state: 'failed', error: 'the model refused' })

    // --wait: the output once the task is final, however long it takes
    const slow = join(dir, 'slow.json')
    await writeFile(slow, JSON.stringify([{ id: 'slow', payload: { durationMs: 1000, output: 'done at last' } }]))
    await runCli(['submit', '--admin', at, '--tasks', slow])
    expect(await runCli(['result', 'slow', '--wait', '--admin', at])).toMatchObject({ code: 0, stdout: 'done at last' })

    // the same from the journal, once the admin has stopped
    admin.kill('SIGTERM')
    await admin.exited
    expect(await runCli(['result', 'json', '--data-dir', dataDir, '--json'])).toMatchObject({ code: 0, events: [{ event: 'result', state: 'succeeded', output: { words: 3, tags: ['a', 'b'] } }] })
    expect(await runCli(['result', 'bad', '--data-dir', dataDir])).toMatchObject({ code: 1, stderr: 'task bad failed for good after 1 attempt: the model refused\n' })
    expect(await runCli(['result', 'json', '--wait', '--data-dir', dataDir])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--wait needs a running admin: give --admin/) })
  }, 60_000)

  it('workers: lists, drains, re-prioritises, caps and disconnects a worker by name', async () => {
    const admin = start(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    const at = addrs[0]
    start(['worker', '--admin', at, '--name', 'w1', '--skill', '5', '--max-concurrent', '2', '--json'])
    await admin.waitForEvent('worker:connected')

    const listed = await runCli(['workers', '--admin', at, '--json'])
    expect(listed.events[0]).toMatchObject({ event: 'workers', workers: [{ name: 'w1', skill: 5, maxConcurrent: 2, online: true, draining: false }] })

    const set = await runCli(['workers', 'set', 'w1', '--draining', '--priority', '4', '--max-concurrent', '1', '--admin', at, '--json'])
    expect(set.code).toBe(0)
    expect(set.events[0]).toMatchObject({ event: 'worker:updated', worker: { name: 'w1', draining: true, priority: 4, maxConcurrent: 1 } })
    const table = await runCli(['workers', 'list', '--admin', at])
    expect(table.stdout).toMatch(/w1 .*draining/)
    expect(table.stdout).toMatch(/1 worker, 1 online/)
    const back = await runCli(['workers', 'set', 'w1', '--no-draining', '--admin', at])
    expect(back.stdout).toMatch(/worker w1: online, priority 4, runs up to 1 at once/)

    const tooMany = await runCli(['workers', 'set', 'w1', '--max-concurrent', '5', '--admin', at])
    expect(tooMany.code).toBe(2)
    expect(tooMany.stderr).toMatch(/maxConcurrent: worker "w1" asked for at most 2 at once/)
    const nothing = await runCli(['workers', 'set', 'w1', '--admin', at])
    expect(nothing).toMatchObject({ code: 2, stderr: expect.stringMatching(/nothing to change: give --draining/) })
    const nobody = await runCli(['workers', 'disconnect', 'w9', '--admin', at])
    expect(nobody).toMatchObject({ code: 1, stderr: expect.stringMatching(/no worker "w9": give a registered worker's peer id or name/) })

    const gone = await runCli(['workers', 'disconnect', 'w1', '--admin', at, '--json'])
    expect(gone.events[0]).toMatchObject({ event: 'worker:disconnected', worker: 'w1', peerId: expect.stringMatching(/^12D3KooW/) })
    await admin.waitForEvent('worker:disconnected', e => e.name === 'w1')
  }, 60_000)

  it('checks a task file before contacting anyone, and says when the admin cannot be reached', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-client-'))
    const bad = join(dir, 'bad.json')
    await writeFile(bad, '[{"id": "a", "priority": 0}]')
    const nowhere = '/ip4/127.0.0.1/tcp/9/p2p/12D3KooWGzh5E5SrCodfqgKEDxQ9ZzkJY8Q1vHjqNrHyGZkcRoFX'
    const invalid = await runCli(['submit', '--admin', nowhere, '--tasks', bad])
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toBe(`${bad}: invalid\n  tasks[0].priority: must be 1..10\n`)
    // more than one request may carry: said before anything is sent, with what to do
    const big = join(dir, 'big.json')
    await writeFile(big, JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ id: `t${i}`, payload: 'x'.repeat(1024 * 1024) }))))
    const admin = start(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--json'])
    const { addrs } = await admin.waitForEvent('listening')
    const tooBig = await runCli(['submit', '--admin', addrs[0], '--tasks', big])
    expect(tooBig).toMatchObject({ code: 2, stderr: expect.stringMatching(/this submit request is 40 MiB, more than the 32 MiB an admin takes in one request: split the task file into smaller ones and submit each/) })
    // the admin is fine: it never saw the request
    expect((await runCli(['status', '--admin', addrs[0], '--json'])).code).toBe(0)

    // a port in use: which option to change, without a stack trace
    const port = addrs[0].split('/')[4]
    const second = await runCli(['admin', '--listen', `/ip4/127.0.0.1/tcp/${port}`])
    expect(second.code).toBe(2)
    expect(second.stderr).toBe(`--listen /ip4/127.0.0.1/tcp/${port}: that port is in use (another admin, or another program); listen on another port, such as --listen /ip4/0.0.0.0/tcp/4002, or stop what uses it\n`)
    const http = await runCli(['admin', '--listen', '/ip4/127.0.0.1/tcp/0', '--http', `127.0.0.1:${port}`])
    expect(http.stderr).toBe(`--http 127.0.0.1:${port}: that port is in use (another admin, or another program); give another port, or stop what uses it\n`)

    const unreachable = await runCli(['status', '--admin', nowhere, '--timeout', '5'])
    expect(unreachable.code).toBe(1)
    expect(unreachable.stderr).toMatch(/cannot reach the admin at .*: nothing listens there \(is it running, on that port\? a standby replica listens only once it leads\)/)

    // several addresses of one admin (its replicas): the first that answers
    const peerId = addrs[0].split('/p2p/')[1]
    const elsewhere = `/ip4/127.0.0.1/tcp/9/p2p/${peerId}`
    const followed = await runCli(['status', '--admin', elsewhere, '--admin', addrs[0], '--json'])
    expect(followed.code).toBe(0)
    expect(followed.events[0]).toMatchObject({ event: 'status', summary: { peerId } })
    const none = await runCli(['status', '--admin', elsewhere, '--admin', `/ip4/127.0.0.1/tcp/7/p2p/${peerId}`, '--timeout', '5'])
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(/cannot reach the admin at any of its 2 addresses:\n {2}cannot reach the admin at \/ip4\/127\.0\.0\.1\/tcp\/9\/.*nothing listens there.*\n {2}cannot reach the admin at \/ip4\/127\.0\.0\.1\/tcp\/7\//)
    // addresses of different admins are a mistake
    const mixed = await runCli(['status', '--admin', addrs[0], '--admin', nowhere])
    expect(mixed.code).toBe(2)
    expect(mixed.stderr).toMatch(/the --admin addresses name different admins/)
  })
})
