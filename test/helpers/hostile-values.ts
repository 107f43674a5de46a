import { mulberry32 } from '../../src/simulation/scenario.js'

/**
 * Seeded hostile JSON, written as text (no JSON.stringify could write some of it): nesting far beyond any
 * limit, huge strings, wrong types, control characters, odd Unicode (lone surrogates, bidi overrides,
 * zero-width and non-characters), duplicate keys, extreme numbers, and bodies cut short.
 */
export class HostileValues {
  private readonly random: () => number

  constructor (seed: number) {
    this.random = mulberry32(seed)
  }

  int (n: number): number {
    return Math.floor(this.random() * n)
  }

  pick<T> (list: readonly T[]): T {
    return list[this.int(list.length)]!
  }

  chance (p: number): boolean {
    return this.random() < p
  }

  /** Any hostile value, as JSON text. */
  value (depth = 0): string {
    switch (this.int(depth > 2 ? 8 : 11)) {
      case 0: return this.nested()
      case 1: return JSON.stringify(this.string())
      case 2: return this.number()
      case 3: return this.pick(['null', 'true', 'false', '""', '[]', '{}'])
      case 4: return this.oddString()
      // past every limit now and then (each such request costs its sender and the admin a second or so)
      case 5: return JSON.stringify('x'.repeat(this.chance(0.15) ? 5 * 1024 * 1024 : this.pick([1024, 64 * 1024, 1024 * 1024])))
      case 6: return this.pick(['"\\ud800"', '"\\udfff\\ud800"', '"\\u0000\\u001b[2J"', '"\\u202e\\u2066\\u200b\\ufeff\\uffff"'])
      case 7: return JSON.stringify(String.fromCodePoint(...Array.from({ length: this.int(40) }, () => this.int(0x110000))))
      case 8: return `[${Array.from({ length: this.int(5) }, () => this.value(depth + 1)).join(',')}]`
      case 9: return this.object(depth + 1)
      default: return `{"a": ${this.value(depth + 1)}, "a": ${this.value(depth + 1)}}`
    }
  }

  /** An object whose fields are named as an API's are, with hostile values: most hostile input is near-valid. */
  object (depth = 0, fields: readonly string[] = []): string {
    const names = [...fields, 'id', 'task_id', 'agent', 'types', 'max', 'waitSeconds', 'output', 'message', 'payload', 'depends_on', 'priority', 'tasks', 'draining', '__proto__', 'constructor']
    const entries = Array.from({ length: 1 + this.int(5) }, () => `${JSON.stringify(this.pick(names))}: ${this.value(depth + 1)}`)
    return `{${entries.join(', ')}}`
  }

  /** JSON nested far past any limit (thousands to a hundred thousand levels). */
  nested (): string {
    const depth = this.pick([65, 1000, 10_000, 100_000])
    return this.chance(0.5) ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
  }

  number (): string {
    return this.pick(['1e308', '-1e308', '1e-320', '9007199254740993', '-0', '0.1', '-1', '1e400', '123456789012345678901234567890', String(this.random() * 1e6)])
  }

  string (): string {
    return this.pick(['', ' ', 'a', 'x'.repeat(200), 'x'.repeat(600), '../../etc/passwd', '%00', '<script>', 'http:squat', 'mcp:squat', 'final', 'ready', '\n'])
  }

  oddString (): string {
    return JSON.stringify(String.fromCharCode(...Array.from({ length: 1 + this.int(30) }, () => this.pick([0, 7, 8, 27, 127, 0x85, 0x9b, 0x200b, 0x202e, 0x2066, 0xfeff, 0xfffe, 0xd83d, 0x41]))))
  }

  /** A body: a hostile object or value, now and then cut short or not JSON at all. */
  body (fields: readonly string[] = []): string {
    const text = this.chance(0.6) ? this.object(0, fields) : this.value()
    if (this.chance(0.1)) return text.slice(0, this.int(text.length))
    if (this.chance(0.03)) return this.pick(['not json', '\u0000\u0001', '- yaml: [', '{', ''])
    return text
  }
}
