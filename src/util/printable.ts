/**
 * Characters that make a terminal do something instead of showing something: C0 and C1 controls and DEL
 * (escape sequences clear the screen, move the cursor, retitle the window, fake colours), and the Unicode
 * bidi overrides and isolates (they reorder what follows, so text reads other than it is).
 */
const UNPRINTABLE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

export interface PrintableOptions {
  /**
   * Keep line feeds: for a whole message the project laid out on several lines (an error, a log record).
   * Left out, a field is one line and a line feed in it is escaped too, so a peer cannot start a line that
   * looks like the program's own.
   * @default false
   */
  multiline?: boolean
}

/**
 * Text that came from a peer, made safe to write to a terminal: each such character is written as a
 * visible escape (`\x1b`, `\x9b`, `\n`, `\u{202e}`); everything else, non-ASCII letters and backslashes
 * included, is kept as it is. The result holds none of those characters, so escaping it again changes
 * nothing. JSON output needs none of this: `JSON.stringify` escapes on its own.
 */
export function printable (text: string, options: PrintableOptions = {}): string {
  const keepNewlines = options.multiline === true
  return text.replace(UNPRINTABLE, c => keepNewlines && c === '\n' ? c : escape(c))
}

function escape (c: string): string {
  const code = c.codePointAt(0)!
  return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`)
}
