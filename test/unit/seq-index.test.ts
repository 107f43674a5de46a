import { describe, expect, it } from 'vitest'
import { SeqIndex } from '../../src/core/seq-index.js'
import { harness } from '../helpers/core.js'

describe('tasks by submission number', () => {
  it('finds, replaces and forgets items, lists them in order, and lets a page go once it is empty', () => {
    const index = new SeqIndex<string>()
    for (const seq of [5, 4095, 4096, 9000]) index.set(seq, `t${seq}`)
    expect([index.at(5), index.at(4096), index.at(6)]).toEqual(['t5', 't4096', undefined])
    expect([...index]).toEqual(['t5', 't4095', 't4096', 't9000'])
    expect(index.pageCount).toBe(3)
    index.delete(4096)
    index.delete(4096)
    expect(index.pageCount).toBe(2)
    index.set(5, 'again')
    index.delete(4095)
    expect(index.pageCount).toBe(2)
    index.delete(5)
    expect([index.pageCount, [...index]]).toEqual([1, ['t9000']])
  })

  it('holds pages for the tasks held, not for every task an admin numbered', () => {
    const h = harness()
    h.worker('w', 10, { maxConcurrent: 64 })
    for (let round = 0; round < 5; round++) {
      const ids = Array.from({ length: 4096 }, (_, i) => `r${round}-${i}`)
      h.submit(...ids.map(id => ({ id })))
      for (let more = true; more;) {
        h.scheduler.schedule(h.now)
        const assigned = h.scheduler.takeEvents().filter(e => e.type === 'assigned')
        for (const e of assigned) if (e.type === 'assigned') h.scheduler.report(e.workerId, { taskId: e.taskId, attempt: e.attempt, token: e.token, success: true }, h.now)
        more = assigned.length > 0
      }
      // what the journal archived leaves memory
      h.scheduler.archived(h.scheduler.takeArchived())
    }
    const ledger = (h.scheduler as unknown as { ledger: { bySeq: SeqIndex<unknown> } }).ledger
    expect(h.scheduler.view.summary()).toMatchObject({ total: 5 * 4096, counts: { succeeded: 5 * 4096 } })
    expect(ledger.bySeq.pageCount).toBe(0)
  })
})
