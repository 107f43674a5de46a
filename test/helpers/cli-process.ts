import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** The built CLI (npm test builds it first), exactly as users run it. */
export const BIN = fileURLToPath(new URL('../../bin/taskmesh.js', import.meta.url))

export interface JsonEvent { event: string, [key: string]: any }

export interface CliProcessOptions {
  /** What to run instead of this Node and the built CLI (for instance inside a network namespace). */
  command?: string[]
  cwd?: string
  env?: NodeJS.ProcessEnv
}

/** A `taskmesh` process whose JSON lines are collected and can be awaited. */
export class CliProcess {
  readonly child: ChildProcess
  readonly events: JsonEvent[] = []
  readonly lines: string[] = []
  stderr = ''
  readonly exited: Promise<number | null>
  private waiters: Array<() => void> = []

  constructor (args: string[], options: CliProcessOptions = {}) {
    const command = options.command ?? [process.execPath, BIN]
    this.child = spawn(command[0]!, [...command.slice(1), ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    createInterface({ input: this.child.stdout! }).on('line', line => {
      this.lines.push(line)
      try {
        this.events.push(JSON.parse(line) as JsonEvent)
      } catch {
        // a human line
      }
      for (const wake of this.waiters.splice(0)) wake()
    })
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString()
      for (const wake of this.waiters.splice(0)) wake()
    })
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null)
    this.exited.then(() => { for (const wake of this.waiters.splice(0)) wake() }, () => {})
  }

  /** The first event matching, waiting for it to be printed. */
  async waitFor (match: (e: JsonEvent) => boolean, timeoutMs = 30_000): Promise<JsonEvent> {
    let found: JsonEvent | undefined
    await this.waitUntil(() => (found = this.events.find(match)) != null, timeoutMs)
    return found!
  }

  /** Waits until `condition` holds, checking it whenever the process prints something. */
  async waitUntil (condition: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (condition()) return
      if (this.child.exitCode != null || this.child.signalCode != null) throw new Error(`process exited (${this.child.exitCode ?? this.child.signalCode}) without the awaited event; stderr:\n${this.stderr}\nstdout:\n${this.lines.join('\n')}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`awaited event not printed within ${timeoutMs} ms; stderr:\n${this.stderr}\nstdout:\n${this.lines.join('\n')}`)
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => { clearTimeout(timer); resolve() })
      })
    }
  }

  waitForEvent (name: string, match: (e: JsonEvent) => boolean = () => true, timeoutMs?: number): Promise<JsonEvent> {
    return this.waitFor(e => e.event === name && match(e), timeoutMs)
  }

  async exit (timeoutMs = 30_000): Promise<number | null> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs)
    try {
      return await this.exited
    } finally {
      clearTimeout(timer)
    }
  }

  kill (signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode == null && this.child.signalCode == null) this.child.kill(signal)
  }
}
