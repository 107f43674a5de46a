import { describe, expect, it } from 'vitest'
import { AdminLink } from '../../src/mcp/admin-link.js'
import type { AdminClient } from '../../src/client/admin-client.js'

describe('the MCP server\'s line to the admin', () => {
  it('a completion heard while it looks at the task (before it waits) is not lost', async () => {
    let listener: ((e: unknown) => void) | undefined
    let looks = 0
    const client = {
      isClosed: false,
      signal: new AbortController().signal,
      watch: (fn: (e: unknown) => void) => { listener = fn },
      // the first look sees the task running, and the completion arrives while that look is answered
      task: async (id: string) => {
        looks++
        if (looks === 1) {
          listener!({ event: 'task:completed', detail: { id } })
          return { id, state: 'running' }
        }
        return { id, state: 'succeeded' }
      }
    } as unknown as AdminClient
    const link = new AdminLink(async () => client)
    // no time limit: a lost wake-up would wait for ever (and the test time out)
    const view = await link.waitForFinal('t', new AbortController().signal)
    expect(view).toMatchObject({ state: 'succeeded' })
    expect(looks).toBe(2)
  }, 5_000)
})
