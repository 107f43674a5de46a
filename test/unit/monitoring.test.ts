import { describe, expect, it } from 'vitest'
import { evaluateAlerts } from '../../src/monitoring/alerts.js'
import { MIN_ATTEMPTS_FOR_FAILURE_RATE } from '../../src/monitoring/constants.js'
import { withoutCounterSuffixOnGauges } from '../../src/monitoring/exposition.js'

describe('alert thresholds', () => {
  const now = 1_000_000
  const base = { now, running: [], waiting: [], ended: [], workers: [] }

  it('fire for a long attempt, a long wait for dependencies and a busy worker, each naming its subject', () => {
    const conditions = evaluateAlerts({ taskDuration: 60, dependencyWait: 300, resourceUsage: 0.8 }, {
      ...base,
      running: [{ taskId: 'slow', worker: 'w1', since: now - 61_000 }, { taskId: 'fine', worker: 'w1', since: now - 59_000 }],
      waiting: [{ taskId: 'stuck', since: now - 301_000 }],
      workers: [{ name: 'hot', cpu: 0.93 }, { name: 'cool', cpu: 0.2 }, { name: 'silent' }]
    })
    expect(conditions.map(c => [c.key, c.subject])).toEqual([['task_duration:slow', 'slow'], ['dependency_wait:stuck', 'stuck'], ['resource_usage:hot', 'hot']])
    expect(conditions[0]!.message).toBe('task slow has run on w1 for 61 s, more than 60 s')
  })

  it('say short durations to the tenth, so they never read as no more than the threshold', () => {
    const [c] = evaluateAlerts({ taskDuration: 1 }, { ...base, running: [{ taskId: 't', worker: 'w', since: now - 1_400 }] })
    expect(c!.message).toBe('task t has run on w for 1.4 s, more than 1 s')
  })

  it('judge the failure rate only over enough attempts', () => {
    const failing = Array.from({ length: MIN_ATTEMPTS_FOR_FAILURE_RATE - 1 }, () => ({ failed: true }))
    expect(evaluateAlerts({ failureRate: 0.1 }, { ...base, ended: failing })).toEqual([])
    const conditions = evaluateAlerts({ failureRate: 0.1 }, { ...base, ended: [...failing, { failed: false }, { failed: false }] })
    expect(conditions).toEqual([expect.objectContaining({ key: 'failure_rate', value: 4 / 6, message: '67% of the last 6 attempts failed, more than 10%' })])
  })

  it('say nothing without thresholds', () => {
    expect(evaluateAlerts({}, { ...base, running: [{ taskId: 'x', worker: 'w', since: 0 }] })).toEqual([])
  })
})

describe('metrics exposition', () => {
  it('uses _all where the name without _total is taken', () => {
    const text = '# TYPE x gauge\nx{a="1"} 1\n# TYPE x_total gauge\nx_total 1'
    expect(withoutCounterSuffixOnGauges(text)).toBe('# TYPE x gauge\nx{a="1"} 1\n# TYPE x_all gauge\nx_all 1')
  })

  it('drops _total from gauges only, in every line of the family', () => {
    const text = [
      '# HELP libp2p_streams_total Open streams',
      '# TYPE libp2p_streams_total gauge',
      'libp2p_streams_total{protocol="/x"} 3',
      'libp2p_streams_total 4',
      '# HELP taskmesh_retries_total Retries',
      '# TYPE taskmesh_retries_total counter',
      'taskmesh_retries_total 2'
    ].join('\n')
    expect(withoutCounterSuffixOnGauges(text)).toBe([
      '# HELP libp2p_streams Open streams',
      '# TYPE libp2p_streams gauge',
      'libp2p_streams{protocol="/x"} 3',
      'libp2p_streams 4',
      '# HELP taskmesh_retries_total Retries',
      '# TYPE taskmesh_retries_total counter',
      'taskmesh_retries_total 2'
    ].join('\n'))
  })
})
