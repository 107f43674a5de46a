import { describe, expect, it } from 'vitest'
import { batch, type BatchTask } from '../../src/worker/batch.js'
import { UnrecoverableError } from '../../src/errors.js'
import type { TaskContext } from '../../src/worker/handlers.js'

const task = (id: string, payload: unknown = null): TaskContext => ({ id, attempt: 1, description: '', type: 'embed', difficulty: 0, payload: payload as never, inputs: {}, worker: { name: 'w', skill: 1, capabilities: [] } })
const run = (handler: ReturnType<typeof batch>, id: string, signal = new AbortController().signal, payload: unknown = null): Promise<unknown> => Promise.resolve(handler(task(id, payload), { signal }))

describe('batch handlers', () => {
  it('gathers the tasks running at once into calls of at most max, each task getting its own result', async () => {
    const calls: string[][] = []
    const embed = batch({ max: 3, wait: 60 }, tasks => {
      calls.push(tasks.map(t => t.id))
      return tasks.map(t => ({ vector: t.id.length }))
    })
    expect(embed.batching).toEqual({ max: 3, wait: 60 })
    const results = await Promise.all(['a', 'bb', 'ccc'].map(async id => await run(embed, id)))
    expect(calls).toEqual([['a', 'bb', 'ccc']])
    expect(results).toEqual([{ vector: 1 }, { vector: 2 }, { vector: 3 }])
  })

  it('goes with fewer once wait has passed after its first task', async () => {
    const calls: number[] = []
    const embed = batch({ max: 100, wait: 0.01 }, tasks => { calls.push(tasks.length); return tasks.map(() => 1) })
    await Promise.all([run(embed, 'a'), run(embed, 'b')])
    expect(calls).toEqual([2])
  })

  it('fails a task alone for an Error in its place, all of them for a throw or a list of the wrong length', async () => {
    const some = batch({ max: 2, wait: 60 }, tasks => tasks.map(t => t.id === 'bad' ? new UnrecoverableError('no vector for this one') : t.id))
    const settled = await Promise.allSettled([run(some, 'good'), run(some, 'bad')])
    expect(settled[0]).toEqual({ status: 'fulfilled', value: 'good' })
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: { name: 'UnrecoverableError', message: 'no vector for this one' } })

    const throws = batch({ max: 2, wait: 60 }, () => { throw new Error('the model is down') })
    expect((await Promise.allSettled([run(throws, 'a'), run(throws, 'b')])).map(s => s.status === 'rejected' && s.reason.message)).toEqual(['the model is down', 'the model is down'])

    const short = batch({ max: 2, wait: 60 }, () => [1])
    await expect(Promise.all([run(short, 'a'), run(short, 'b')])).rejects.toThrow('the batch handler returned 1 results for 2 tasks: return one result (or Error) per task, in order')
  })

  it('a task cancelled while gathered leaves the batch; one cancelled during the call ends at once; the call\'s signal fires once none is wanted', async () => {
    let seen: BatchTask[] = []
    let release!: () => void
    const released = new Promise<void>(resolve => { release = resolve })
    let callSignal: AbortSignal | undefined
    const embed = batch({ max: 3, wait: 60 }, async (tasks, { signal }) => {
      seen = tasks
      callSignal = signal
      await released
      return tasks.map(t => t.id)
    })
    const early = new AbortController()
    const gone = run(embed, 'gone', early.signal)
    early.abort(new Error('cancelled by request'))
    await expect(gone).rejects.toThrow('cancelled by request')
    const a = new AbortController()
    const b = new AbortController()
    const c = new AbortController()
    const running = [run(embed, 'a', a.signal), run(embed, 'b', b.signal), run(embed, 'c', c.signal)]
    await new Promise(resolve => setImmediate(resolve))
    expect(seen.map(t => t.id)).toEqual(['a', 'b', 'c'])
    // each task has its own signal in the call
    a.abort(new Error('the task timed out after 1 s'))
    await expect(running[0]).rejects.toThrow('timed out')
    expect(seen[0]!.signal.aborted).toBe(true)
    expect(callSignal!.aborted).toBe(false)
    b.abort(new Error('cancelled'))
    c.abort(new Error('cancelled'))
    expect(callSignal!.aborted).toBe(true)
    release()
    await Promise.allSettled(running)
  })

  it('a promise in a task\'s place ends that task when it settles, whatever the others do', async () => {
    let later!: (v: string) => void
    const embed = batch({ max: 2, wait: 60 }, () => ['now', new Promise<string>(resolve => { later = resolve })])
    const first = run(embed, 'a')
    const second = run(embed, 'b')
    expect(await first).toBe('now')
    later('then')
    expect(await second).toBe('then')
  })

  it('refuses a max or a wait it cannot keep', () => {
    expect(() => batch({ max: 0, wait: 1 }, () => [])).toThrow('batch max must be a whole number from 1 to 10000, not 0')
    expect(() => batch({ max: 5, wait: -1 }, () => [])).toThrow('batch wait must be a number of seconds from 0 to 60, not -1')
  })
})
