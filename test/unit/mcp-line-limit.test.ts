import { describe, expect, it } from 'vitest'
import { LimitExceededError, ValidationError } from '../../src/errors.js'
import { LineLimit } from '../../src/mcp/line-limit.js'

/** Writes `chunks` into a LineLimit of `maxBytes`; what it passed on, chunk by chunk, and the error it stopped with. */
async function through (maxBytes: number, chunks: string[]): Promise<{ out: string[], error?: Error }> {
  const limit = new LineLimit(maxBytes)
  const out: string[] = []
  limit.on('data', (chunk: Buffer) => { out.push(chunk.toString()) })
  const ended = new Promise<Error | undefined>(resolve => {
    limit.once('end', () => { resolve(undefined) })
    limit.once('error', (err) => { resolve(err) })
  })
  for (const chunk of chunks) limit.write(Buffer.from(chunk))
  limit.end()
  const error = await ended
  return { out, ...(error != null ? { error } : {}) }
}

describe('the MCP server\'s line limit on stdin', () => {
  it('passes each line on whole, as one chunk, however the input was cut', async () => {
    expect(await through(10, ['a', 'bc\nde', 'f\n\ng', 'h\n'])).toEqual({ out: ['abc\n', 'def\n', '\n', 'gh\n'] })
  })

  it('takes a line of exactly the limit, its newline not counted', async () => {
    expect(await through(4, ['ab', 'cd', '\n', 'wxyz\n'])).toEqual({ out: ['abcd\n', 'wxyz\n'] })
  })

  it('refuses a line one byte longer as soon as it is, with its newline or without one', async () => {
    for (const chunks of [['ab', 'cde'], ['abcde\n'], ['ok\nab', 'cde\nnever\n']]) {
      const { out, error } = await through(4, chunks)
      expect(error?.name).toBe(LimitExceededError.name)
      expect(error?.message).toMatch(/longer than 4 bytes.*refused/)
      // the lines before it were passed on; nothing of it or after it
      expect(out).toEqual(chunks[0]!.startsWith('ok') ? ['ok\n'] : [])
    }
  })

  it('is 10 MiB unless told otherwise, and refuses a limit that is not a number of bytes', () => {
    expect(new LineLimit().maxBytes).toBe(10 * 1024 * 1024)
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new LineLimit(bad)).toThrow(expect.objectContaining({ name: ValidationError.name }))
  })

  it('counts bytes, not characters', async () => {
    const { error } = await through(4, ['ééé\n'])
    expect(error?.name).toBe(LimitExceededError.name)
  })
})
