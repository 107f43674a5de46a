import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { EventEmitter, once } from 'node:events'
import { createInterface } from 'node:readline'
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js'
import { expect, onTestFinished } from 'vitest'
import { BIN } from './cli.js'

export interface LogRecord { level: number, msg: string, [key: string]: unknown }
export interface JsonRpcAnswer { id: number, result?: any, error?: { code: number, message: string } }

/**
 * `taskmesh mcp` spoken to line by line, as an MCP client does, so that a test decides when its stdin ends
 * and sees how its process ends: the SDK's client kills the server it started when closing, so with it a
 * server that never ended by itself would go unnoticed.
 */
export class McpProcess {
  readonly child: ChildProcessWithoutNullStreams
  readonly answers: JsonRpcAnswer[] = []
  stderr = ''
  /** How the process ended: by itself (a code, no signal) or killed (a signal). */
  readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  private readonly changed = new EventEmitter()

  constructor (admin: string) {
    this.child = spawn(process.execPath, [BIN, 'mcp', '--admin', admin, '--log-format', 'json'], { stdio: 'pipe' })
    createInterface({ input: this.child.stdout }).on('line', line => {
      this.answers.push(JSON.parse(line) as JsonRpcAnswer)
      this.changed.emit('change')
    })
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString()
      this.changed.emit('change')
    })
    // a server that stopped reading leaves what is still written to it undelivered (EPIPE): not this test's failure
    this.child.stdin.on('error', () => {})
    this.exited = once(this.child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }))
    // once its output is read to the end, nothing more can come
    this.child.once('close', () => { this.changed.emit('change') })
    onTestFinished(() => {
      if (this.child.exitCode == null && this.child.signalCode == null) this.child.kill('SIGKILL')
    })
  }

  send (message: Record<string, unknown>): void {
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`)
  }

  async initialize (): Promise<void> {
    this.send({ id: 0, method: 'initialize', params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'taskmesh-test', version: '1.0.0' } } })
    expect(await this.answer(0)).toMatchObject({ result: { serverInfo: { name: 'taskmesh' } } })
    this.send({ method: 'notifications/initialized' })
  }

  /** The answer to request `id`, once the server has printed it. */
  async answer (id: number, timeoutMs = 20_000): Promise<JsonRpcAnswer> {
    return await this.until(() => this.answers.find(a => a.id === id), timeoutMs, `an answer to request ${id}`)
  }

  /** How the process ended, once it has; one still running after `timeoutMs` fails the test. */
  async exit (timeoutMs = 20_000): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => { reject(new Error(`taskmesh mcp has not exited within ${timeoutMs} ms; stderr:\n${this.stderr}`)) }, timeoutMs)
    })
    try {
      return await Promise.race([this.exited, late])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Its stderr, one JSON log record a line. */
  logs (): LogRecord[] {
    return this.stderr.split('\n').filter(l => l.trim() !== '').map(l => JSON.parse(l) as LogRecord)
  }

  private async until<T> (find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return await new Promise<T>((resolve, reject) => {
      const stop = (): void => {
        clearTimeout(timer)
        this.changed.off('change', check)
      }
      const check = (): void => {
        const found = find()
        if (found !== undefined) {
          stop()
          resolve(found)
        } else if (this.child.stdout.readableEnded) {
          stop()
          reject(new Error(`taskmesh mcp ended without ${what}; stderr:\n${this.stderr}`))
        }
      }
      const timer = setTimeout(() => {
        stop()
        reject(new Error(`no ${what} within ${timeoutMs} ms; stderr:\n${this.stderr}`))
      }, timeoutMs)
      this.changed.on('change', check)
      check()
    })
  }
}
