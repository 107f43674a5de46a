import { describe, expect, it } from 'vitest'
import { hostPort, integer, rateLimit, ratio, secondsRange } from '../../src/cli/options.js'

describe('option parsers', () => {
  it('--http takes a port (loopback), HOST:PORT, or [IPv6]:PORT', () => {
    expect(hostPort('8080')).toEqual({ host: '127.0.0.1', port: 8080 })
    expect(hostPort('0.0.0.0:0')).toEqual({ host: '0.0.0.0', port: 0 })
    expect(hostPort('localhost:9')).toEqual({ host: 'localhost', port: 9 })
    expect(hostPort('[::1]:8080')).toEqual({ host: '::1', port: 8080 })
    for (const bad of ['', 'http', '70000', ':80', '1.2.3.4:', '::1:80', 'a b:80']) {
      expect(() => hostPort(bad), bad).toThrow(/expected a port, or HOST:PORT/)
    }
  })

  it('ratios stay within 0..1; ranges go from low to high; whole numbers are whole', () => {
    expect(ratio('0.25')).toBe(0.25)
    for (const bad of ['', '-0.1', '1.5', 'half']) expect(() => ratio(bad), bad).toThrow(/from 0 to 1/)
    expect(secondsRange('0.3-0.9')).toEqual({ min: 300, max: 900 })
    expect(secondsRange('2')).toEqual({ min: 2000, max: 2000 })
    expect(() => secondsRange('0.9-0.3')).toThrow(/low to high/)
    expect(() => secondsRange('300ms')).toThrow(/expected seconds/)
    expect(() => integer(1)('2.5')).toThrow(/whole number from 1 up/)
  })

  it('--rate-limit takes KEY=N/PERIOD, repeated, each key once', () => {
    const limits = ['summarize=100/1s', 'openai=3500/1m', 'slow=1/500ms', 'hourly=2/h'].reduce<ReturnType<typeof rateLimit>>((all, v) => rateLimit(v, all), [])
    expect(limits).toEqual([
      { key: 'summarize', limit: 100, periodMs: 1000 },
      { key: 'openai', limit: 3500, periodMs: 60_000 },
      { key: 'slow', limit: 1, periodMs: 500 },
      { key: 'hourly', limit: 2, periodMs: 3_600_000 }
    ])
    for (const bad of ['summarize=100', 'x=0/1s', '=1/1s', 'x=1/1d', 'x=1.5/1s', 'x=1/0s']) expect(() => rateLimit(bad, [])).toThrow(/expected KEY=N\/PERIOD/)
    expect(() => rateLimit('a=1/1s', limits.slice(0, 0).concat([{ key: 'a', limit: 1, periodMs: 1 }]))).toThrow('"a" has a rate limit already')
  })
})
