import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fits, formatResources, resourceKey } from '../../src/core/resources.js'
import { harness } from '../helpers/core.js'

const GiB = 1024 ** 3

describe('resources: what a worker offers and a task needs', () => {
  it('runs at once only what the worker\'s resources cover, and gives the next task a worker as one ends', () => {
    const h = harness({ strategy: 'least-loaded' })
    h.worker('box', 5, { maxConcurrent: 8, resources: { cpu: 4, memory: 8 * GiB } })
    h.submit({ id: 'a', resources: { cpu: 2 } }, { id: 'b', resources: { cpu: 2, memory: 2 * GiB } }, { id: 'c', resources: { cpu: 1 } }, { id: 'small' })
    // a and b take all 4 cores: c waits, the task that needs nothing declared runs beside them
    expect(h.schedule().map(([t]) => t).sort()).toEqual(['a', 'b', 'small'])
    expect(h.scheduler.view.workers()[0]!.resourcesHeld).toEqual({ cpu: 4, memory: 2 * GiB })
    expect(h.scheduler.view.waitingFor('c')).toBeUndefined()
    h.succeed('a')
    expect(h.schedule()).toEqual([['c', 'box']])
    h.fail('b')
    h.succeed('c')
    expect(h.scheduler.view.workers()[0]!.resourcesHeld).toEqual({ cpu: 0, memory: 0 })
  })

  it('a task needing more than any worker offers waits and says why; a worker able to run it takes it when it joins', () => {
    const h = harness()
    h.worker('small', 5, { resources: { cpu: 8, memory: 32 * GiB } })
    h.worker('undeclared', 5)
    h.submit({ id: 'huge', resources: { memory: 64 * GiB } }, { id: 'gpu', resources: { gpu: 1 } })
    expect(h.schedule()).toEqual([])
    expect(h.scheduler.view.waitingFor('huge')).toBe('no connected worker offers memory 64 GiB (the most one offers: memory 32 GiB)')
    expect(h.scheduler.view.waitingFor('gpu')).toBe('no connected worker offers gpu 1 (the most one offers: gpu 0)')
    expect(h.scheduler.view.blocked().map(b => b.reason).sort()).toEqual([
      'no connected worker offers gpu 1 (the most one offers: gpu 0)',
      'no connected worker offers memory 64 GiB (the most one offers: memory 32 GiB)'
    ])
    h.worker('big', 5, { maxConcurrent: 4, resources: { cpu: 64, memory: 256 * GiB, gpu: 2 } })
    expect(h.schedule().sort()).toEqual([['gpu', 'big'], ['huge', 'big']])
  })

  it('a worker whose resources are taken is passed over for one that has them left, whatever the strategy prefers', () => {
    const h = harness()
    // skill-fit prefers the lower skill: "low" until its GPU is taken
    h.worker('low', 3, { maxConcurrent: 4, resources: { gpu: 1 } })
    h.worker('high', 9, { maxConcurrent: 4, resources: { gpu: 1 } })
    h.submit({ id: 'g1', resources: { gpu: 1 } }, { id: 'g2', resources: { gpu: 1 } }, { id: 'g3', resources: { gpu: 1 } })
    expect(h.schedule().sort()).toEqual([['g1', 'low'], ['g2', 'high']])
    expect(h.state('g3')).toBe('ready')
  })

  it('fails such a task after the grace period when the admin is told to fail what nobody can run', () => {
    const h = harness({ onNoWorker: 'fail', noWorkerGraceMs: 100 })
    h.worker('small', 5, { resources: { memory: 4 * GiB } })
    h.submit({ id: 'huge', resources: { memory: 64 * GiB } })
    h.schedule()
    h.advance(200)
    expect(h.scheduler.view.getTask('huge')).toMatchObject({ state: 'failed', error: expect.stringMatching(/^no connected worker offers memory 64 GiB \(the most one offers: memory 4 GiB\) after waiting 100 ms/) })
  })

  it('with avoidBusyCpu, gives nothing new to a worker whose heartbeat reports more CPU, and says so', () => {
    const h = harness({ avoidBusyCpu: 0.8 })
    h.worker('w', 5, { maxConcurrent: 4 })
    h.scheduler.recordLoad('peer-w', { cpu: 0.95, memoryBytes: 1e9, at: h.now })
    h.submit({ id: 't' })
    expect(h.schedule()).toEqual([])
    expect(h.scheduler.view.workers()[0]).toMatchObject({ busy: true })
    expect(h.scheduler.view.waitingFor('t')).toBe('the one worker that could run it (w) is busy: their CPU is above the admin\'s --avoid-busy')
    h.scheduler.recordLoad('peer-w', { cpu: 0.3, memoryBytes: 1e9, at: h.now })
    expect(h.schedule()).toEqual([['t', 'w']])
  })

  it('never holds more of a resource on a worker than it offers, whatever ends when (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ cpu: fc.integer({ min: 0, max: 5 }), gpu: fc.integer({ min: 0, max: 2 }) }), { minLength: 1, maxLength: 30 }),
      fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 60 }),
      (needs, steps) => {
        const h = harness({ strategy: 'least-loaded' })
        h.worker('a', 5, { maxConcurrent: 16, resources: { cpu: 6, gpu: 1 } })
        h.worker('b', 5, { maxConcurrent: 16, resources: { cpu: 3, gpu: 2 } })
        h.submit(...needs.map((need, i) => ({ id: `t${i}`, resources: Object.fromEntries(Object.entries(need).filter(([, n]) => n > 0)) })))
        const check = (): void => {
          for (const w of h.scheduler.view.workers()) {
            for (const [name, held] of Object.entries(w.resourcesHeld)) expect(held).toBeLessThanOrEqual(w.resources![name] ?? 0)
            const running = needs.flatMap((need, i) => h.scheduler.view.getTask(`t${i}`).worker === w.name && h.state(`t${i}`) === 'running' ? [need] : [])
            expect(w.resourcesHeld.cpu ?? 0).toBe(running.reduce((sum, n) => sum + n.cpu, 0))
          }
        }
        h.schedule()
        check()
        for (const [pick, ok] of steps) {
          const running = needs.map((_, i) => `t${i}`).filter(id => h.state(id) === 'running')
          if (running.length === 0) break
          const id = running[pick % running.length]!
          if (ok) h.succeed(id)
          else h.fail(id)
          h.schedule()
          check()
        }
      }
    ), { numRuns: 200 })
  })

  it('keys and formats needs so that equal needs look equal', () => {
    expect(resourceKey({ memory: 2, cpu: 1 })).toBe(resourceKey({ cpu: 1, memory: 2 }))
    expect(resourceKey(undefined)).toBe('')
    expect(fits({ cpu: 2 }, { cpu: 4 }, { cpu: 2 })).toBe(true)
    expect(fits({ cpu: 2 }, { cpu: 4 }, { cpu: 2.5 })).toBe(false)
    expect(fits({ gpu: 1 }, undefined, {})).toBe(false)
    expect(formatResources({ memory: 1.5 * GiB, cpu: 0.5 })).toBe('cpu 0.5, memory 1.5 GiB')
  })
})
