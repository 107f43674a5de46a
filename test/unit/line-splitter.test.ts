import { describe, expect, it } from 'vitest'
import { cutNote, cutText, LineSplitter } from '../../src/worker/line-splitter.js'

function splitter (maxLineBytes: number): { lines: string[], long: string[], splitter: LineSplitter } {
  const lines: string[] = []
  const long: string[] = []
  return { lines, long, splitter: new LineSplitter({ maxLineBytes, onLine: l => lines.push(l), onLongLine: h => long.push(h) }) }
}

describe('LineSplitter', () => {
  it('never holds more than its limit, however long a line runs without a newline', () => {
    const { lines, long, splitter: s } = splitter(1000)
    let most = 0
    for (let i = 0; i < 500; i++) {
      s.push(Buffer.alloc(4096, 'a'))
      most = Math.max(most, s.bufferedBytes)
    }
    expect(most).toBeLessThanOrEqual(1000)
    expect(long).toEqual(['a'.repeat(1000)])
    // the rest of the long line is dropped; the next line comes whole
    s.push(Buffer.from('aaa\nnext\n'))
    expect(lines).toEqual(['next'])
    expect(s.bufferedBytes).toBe(0)
  })

  it('splits lines across and within chunks; a line exactly at the limit is whole', () => {
    const { lines, long, splitter: s } = splitter(5)
    s.push(Buffer.from('ab'))
    s.push(Buffer.from('c\r\nde\n\n12345\n123456\nz'))
    expect(lines).toEqual(['abc', 'de', '', '12345'])
    expect(long).toEqual(['12345'])
    s.end()
    expect(lines.at(-1)).toBe('z')
  })

  it('a character split between two chunks stays one; a cut never splits one', () => {
    const { lines, long, splitter: s } = splitter(7)
    const text = Buffer.from('é€\n')
    s.push(text.subarray(0, 1))
    s.push(text.subarray(1, 3))
    s.push(text.subarray(3))
    expect(lines).toEqual(['é€'])
    // 'aé€€' is 1 + 2 + 3 + 3 bytes: 7 bytes end inside the second '€'
    s.push(Buffer.from('aé€€\n'))
    expect(long).toEqual(['aé€'])
  })
})

describe('cutText', () => {
  it('keeps what fits, and cuts the rest at whole characters, saying so', () => {
    expect(cutText('short', 10)).toBe('short')
    expect(cutText('€€€€', 12)).toBe('€€€€')
    expect(cutText('€€€€', 10)).toBe(`€€€${cutNote(10)}`)
    expect(cutText('x'.repeat(100), 10)).toBe(`${'x'.repeat(10)}${cutNote(10)}`)
  })
})
