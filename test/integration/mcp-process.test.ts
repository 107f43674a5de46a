import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXIT_BAD_INPUT } from '../../src/cli/exit-codes.js'
import { LimitExceededError } from '../../src/errors.js'
import { MAX_MESSAGE_BYTES } from '../../src/mcp/constants.js'
import { McpProcess } from '../helpers/mcp-process.js'
import { Network } from '../helpers/net.js'
import type { TaskManager } from '../../src/manager/task-manager.js'

/** `taskmesh mcp` as a process: how it ends, and what it does with a message longer than it reads. */
describe('the taskmesh mcp process', () => {
  const net = new Network()
  let manager: TaskManager

  beforeAll(async () => { manager = await net.admin([], { listen: ['/ip4/127.0.0.1/tcp/0'] }) })
  afterAll(async () => { await net.stop() })

  it('ends by itself when its client closes its stdin: exit code 0, no warning for a normal end', async () => {
    const mcp = new McpProcess(manager.details().addresses[0]!)
    await mcp.initialize()
    mcp.send({ id: 1, method: 'tools/call', params: { name: 'get_summary', arguments: {} } })
    expect(await mcp.answer(1)).toMatchObject({ result: { structuredContent: { peerId: manager.details().peerId } } })
    mcp.child.stdin.end()
    // a code and no signal: it exited, nobody killed it
    expect(await mcp.exit()).toEqual({ code: 0, signal: null })
    expect(mcp.logs().map(l => l.msg)).toContain('connected to the admin')
    expect(mcp.logs().filter(l => l.level >= 40)).toEqual([])
  })

  describe('a message longer than the transport reads', () => {
    const refusal = /longer than 10485760 bytes \(10 MiB\).*refused.*the MCP server stops/s

    it('answers a message as long as the limit, then refuses one byte more (no newline yet): says so, and exits with an error', async () => {
      expect(MAX_MESSAGE_BYTES).toBe(10 * 1024 * 1024)
      const mcp = new McpProcess(manager.details().addresses[0]!)
      await mcp.initialize()
      // exactly the limit, padded with the blanks JSON allows, and another message behind it in the same write
      const head = '{"jsonrpc":"2.0","id":1,"method":"ping"'
      const atLimit = `${head}${' '.repeat(MAX_MESSAGE_BYTES - head.length - 1)}}`
      expect(Buffer.byteLength(atLimit)).toBe(MAX_MESSAGE_BYTES)
      mcp.child.stdin.write(`${atLimit}\n{"jsonrpc":"2.0","id":2,"method":"ping"}\n`)
      expect(await mcp.answer(1)).toEqual({ jsonrpc: '2.0', id: 1, result: {} })
      expect(await mcp.answer(2)).toEqual({ jsonrpc: '2.0', id: 2, result: {} })

      // refused as soon as it is too long, without waiting for a newline that may never come
      mcp.child.stdin.write(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 'x'))
      expect(await mcp.exit()).toEqual({ code: EXIT_BAD_INPUT, signal: null })
      expect(mcp.logs().filter(l => l.level >= 40)).toEqual([
        expect.objectContaining({ level: 60, error: LimitExceededError.name, msg: expect.stringMatching(refusal) })
      ])
    })

    it('refuses an over-long line that ends with its newline the same way', async () => {
      const mcp = new McpProcess(manager.details().addresses[0]!)
      await mcp.initialize()
      mcp.child.stdin.write(`${'x'.repeat(MAX_MESSAGE_BYTES + 1)}\n`)
      expect(await mcp.exit()).toEqual({ code: EXIT_BAD_INPUT, signal: null })
      expect(mcp.logs().filter(l => l.level >= 40)).toEqual([
        expect.objectContaining({ level: 60, error: LimitExceededError.name, msg: expect.stringMatching(refusal) })
      ])
    })
  })
})
