import { closeSync, openSync, readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../src/cli/log.js'
import type { LogFormat } from '../../src/cli/log-options.js'

const HOSTILE = '\x1b[2J\x1b[31mfake\u202e\nforged line'

/** What one record, carrying a peer's text in its message, a field and an error, looks like in a format. */
async function logged (logFormat: LogFormat): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'taskmesh-log-')), 'log')
  const fd = openSync(file, 'w')
  try {
    const log = createLogger({ name: 'test', logLevel: 'info', logFormat, destination: fd })
    log.warn({ worker: HOSTILE, err: new Error(HOSTILE) }, `exec: ${HOSTILE}\n(a line of our own)`)
  } finally {
    closeSync(fd)
  }
  return readFileSync(file, 'utf8')
}

describe('the CLI log', () => {
  it('pretty: a peer\'s text is escaped in the message, the fields and the error; its own lines stay lines', async () => {
    const text = await logged('pretty')
    for (const raw of ['\x1b', '\u202e']) expect(text).not.toContain(raw)
    expect(text).toContain('WARN: exec: \\x1b[2J\\x1b[31mfake\\u{202e}')
    expect(text).toContain('\n(a line of our own)\n')
    expect(text).toContain('worker: "\\x1b[2J\\x1b[31mfake\\u{202e}\\nforged line"')
    expect(text).toContain('Error: \\x1b[2J\\x1b[31mfake\\u{202e}')
  })

  it('json: exactly JSON, one record a line, the text as it was sent', async () => {
    const lines = (await logged('json')).trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    const record = JSON.parse(lines[0]!)
    expect(record).toMatchObject({ level: 40, name: 'test', worker: HOSTILE, msg: `exec: ${HOSTILE}\n(a line of our own)`, err: { message: HOSTILE } })
  })
})
