import { describe, expect, it } from 'vitest'
import { ValidationError } from '../../src/core/errors.js'
import { signWebhook, verifyWebhook } from '../../src/webhooks/signature.js'
import { parseWebhook } from '../../src/webhooks/targets.js'
import { Webhooks, type WebhookBody } from '../../src/webhooks/webhooks.js'
import { harness } from '../helpers/core.js'

const hooks = (...specs: string[]): Webhooks => new Webhooks({ targets: specs.map(parseWebhook), admin: () => '12D3KooWadmin' })

/** The messages a batch of a harness's events causes, from where the last call left off. */
function batches (h: ReturnType<typeof harness>, w: Webhooks): () => Array<{ target: string, body: WebhookBody }> {
  let seen = 0
  return () => {
    const events = h.events.slice(seen)
    seen = h.events.length
    return w.messages(events, h.scheduler.view).map(m => ({ target: m.target, body: JSON.parse(m.body) as WebhookBody }))
  }
}

describe('webhooks: what each event causes', () => {
  it('a task that became final goes to the webhooks asking for it, by event or by outcome, once each', () => {
    const h = harness()
    const w = hooks('https://all.example/h', 'task:failed=https://failures.example/h', 'worker:connected,task:submitted=https://ops.example/h')
    const next = batches(h, w)
    h.submit({ id: 'good' }, { id: 'bad' })
    h.worker('w1')
    h.schedule()
    expect(next().map(m => [m.target, m.body.event, m.body.data])).toEqual([
      ['https://ops.example/h', 'task:submitted', { taskId: 'good', type: 'simulate' }],
      ['https://ops.example/h', 'task:submitted', { taskId: 'bad', type: 'simulate' }],
      ['https://ops.example/h', 'worker:connected', expect.objectContaining({ name: 'w1' })]
    ])
    expect([h.state('good'), h.state('bad')]).toEqual(['running', 'ready'])
    h.succeed('good', { n: 1 })
    const succeeded = next()
    expect(succeeded.map(m => m.target)).toEqual(['https://all.example/h'])
    expect(succeeded[0]!.body).toMatchObject({ event: 'task:completed', admin: '12D3KooWadmin', data: { id: 'good', status: 'succeeded', output: { n: 1 }, worker: 'w1' } })
    // a worker that has proven nothing holds one attempt of a type with no history yet: the second comes now
    h.schedule()
    h.fail('bad', 'no luck')
    const failed = next()
    expect(failed.map(m => m.target)).toEqual(['https://all.example/h', 'https://failures.example/h'])
    // one event, one id, whichever receiver
    expect(failed[0]!.body.id).toBe(failed[1]!.body.id)
    expect(failed[0]!.body.id).not.toBe(succeeded[0]!.body.id)
    expect(failed[1]!.body.data).toMatchObject({ id: 'bad', status: 'failed', error: 'no luck' })
  })

  it('says "done" when every task has become final, once; not again from a restarted admin that finds all final', () => {
    const h = harness()
    const w = hooks('done=https://batch.example/h')
    const next = batches(h, w)
    h.submit({ id: 'a' })
    h.worker('w1')
    h.schedule()
    expect(next()).toEqual([])
    h.succeed('a')
    expect(next().map(m => [m.body.event, m.body.data])).toEqual([['done', { total: 1, succeeded: 1, failed: 0, skipped: 0, cancelled: 0 }]])
    h.advance(10)
    expect(next()).toEqual([])
    // the same view as a restarted admin has it: all final, no new completion
    expect(hooks('done=https://batch.example/h').messages([], h.scheduler.view)).toEqual([])
  })
})

describe('webhooks: what a body may carry', () => {
  it('leaves a large output out, saying its size, and carries ids a header can hold whatever the task id', () => {
    const h = harness()
    const w = hooks('https://all.example/h')
    const next = batches(h, w)
    h.submit({ id: 'задача\r\nX-Injected: yes' }, { id: 'small' })
    h.worker('w1')
    h.schedule()
    next()
    h.succeed('задача\r\nX-Injected: yes', 'x'.repeat(100_000))
    h.schedule()
    h.succeed('small', 'ok')
    const [large, small] = next()
    expect(large!.body.data).toMatchObject({ id: 'задача\r\nX-Injected: yes', status: 'succeeded', outputBytes: 100_002 })
    expect(large!.body.data).not.toHaveProperty('output')
    expect(small!.body.data).toMatchObject({ id: 'small', output: 'ok' })
    // the id goes in the taskmesh-delivery header: printable ASCII only
    expect(large!.body.id).toMatch(/^[\x21-\x7e]+$/)
    expect(() => new Headers({ 'taskmesh-delivery': large!.body.id })).not.toThrow()
  })
})

describe('webhooks: options and signatures', () => {
  it('reads --webhook as a URL, or events=URL, and says what is wrong', () => {
    expect(parseWebhook('https://h.example/x?a=b')).toEqual({ url: 'https://h.example/x?a=b', events: new Set(['task:completed']) })
    expect(parseWebhook('task:failed,done=http://127.0.0.1:9/x')).toEqual({ url: 'http://127.0.0.1:9/x', events: new Set(['task:failed', 'done']) })
    const problem = (value: string): string => {
      try {
        parseWebhook(value)
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError)
        return (err as Error).message
      }
      throw new Error(`accepted ${value}`)
    }
    expect(problem('hooks.example/x')).toMatch(/"hooks.example\/x" is not a URL/)
    expect(problem('task:finished=https://h.example/x')).toMatch(/unknown event "task:finished": webhooks take task:completed, task:succeeded/)
    expect(problem('file=file:///etc/passwd')).toMatch(/unknown event "file"|file: URLs are not posted to/)
    expect(problem('task:failed=ftp://h.example/x')).toMatch(/ftp: URLs are not posted to: give an http or https URL/)
    expect(problem('https://user:secret@h.example/x')).toMatch(/a URL with a user or password would print them in logs/)
  })

  it('signs a body with HMAC-SHA256, which a receiver checks in constant time; any change fails it', () => {
    const body = '{"id":"x","event":"task:completed"}'
    const signature = signWebhook(body, 'a-secret-of-some-length')
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/)
    expect(verifyWebhook(body, signature, 'a-secret-of-some-length')).toBe(true)
    expect(verifyWebhook(body.replace('x', 'y'), signature, 'a-secret-of-some-length')).toBe(false)
    expect(verifyWebhook(body, signature, 'another-secret-of-length')).toBe(false)
    expect(verifyWebhook(body, undefined, 'a-secret-of-some-length')).toBe(false)
    expect(verifyWebhook(body, 'sha256=short', 'a-secret-of-some-length')).toBe(false)
  })
})
