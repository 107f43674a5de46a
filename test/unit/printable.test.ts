import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { printable } from '../../src/util/printable.js'

/** What must never reach a terminal raw: C0, DEL, C1, bidi overrides and isolates (spelled out, not as the code does). */
function unsafe (c: string): boolean {
  const code = c.codePointAt(0)!
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)
}

describe('printable', () => {
  it('writes terminal controls and bidi overrides as visible escapes', () => {
    expect(printable('\x1b[2J\x1b[31mfake')).toBe('\\x1b[2J\\x1b[31mfake')
    expect(printable('a\u202eevil\u202cb')).toBe('a\\u{202e}evil\\u{202c}b')
    expect(printable('\u2066\u2067\u2068\u2069\u202a')).toBe('\\u{2066}\\u{2067}\\u{2068}\\u{2069}\\u{202a}')
    expect(printable('\x00\x07\x7f\x9b\x85')).toBe('\\x00\\x07\\x7f\\x9b\\x85')
  })

  it('keeps ordinary text as it is: letters of any script, emoji, backslashes, quotes', () => {
    for (const text of ['plain', 'Grüße, 東京, مرحبا', '✓ → ✗ 🚀', 'C:\\temp\\x1b is text', '"quoted" \'too\'', '']) {
      expect(printable(text)).toBe(text)
    }
  })

  it('escapes line breaks and tabs in a one-line field; keeps line feeds in a multi-line message', () => {
    expect(printable('one\ntwo\r\tthree')).toBe('one\\ntwo\\r\\tthree')
    expect(printable('one\ntwo\r\x1b[Kthree', { multiline: true })).toBe('one\ntwo\\r\\x1b[Kthree')
  })

  it('leaves nothing unsafe in any string, and changes nothing when applied twice', () => {
    // any code point, with the interesting ones often
    const unit = fc.oneof(fc.constantFrom('\x1b', '\n', '\r', '\u202e', '\u2069', '\x9b', '\x7f', '\\', 'x'), fc.integer({ min: 0, max: 0x10ffff }).map(c => String.fromCodePoint(c)))
    fc.assert(fc.property(fc.string({ unit }), fc.boolean(), (text, multiline) => {
      const once = printable(text, { multiline })
      expect(Array.from(once).filter(c => unsafe(c) && !(multiline && c === '\n'))).toEqual([])
      expect(printable(once, { multiline })).toBe(once)
    }))
  })
})
