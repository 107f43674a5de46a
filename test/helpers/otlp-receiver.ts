import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A span as an OTLP/HTTP JSON export carries it, with its service's name. */
export interface ReceivedSpan {
  service: string
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  attributes: Record<string, unknown>
  events: string[]
  /** 2: error. */
  status?: number
  start: bigint
  end: bigint
}

/**
 * A small OpenTelemetry collector on loopback: takes OTLP/HTTP JSON exports at /v1/traces (what
 * `@opentelemetry/exporter-trace-otlp-http` sends) and keeps their spans.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = []
  private readonly waiters = new Set<() => void>()

  private readonly server: Server

  private constructor () {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
          res.writeHead(404).end()
          return
        }
        this.take(JSON.parse(Buffer.concat(chunks).toString('utf8')))
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    })
  }

  static async start (): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver()
    await new Promise<void>(resolve => receiver.server.listen(0, '127.0.0.1', resolve))
    return receiver
  }

  /** What `--otel-endpoint` is given. */
  get endpoint (): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  /** Resolves once `condition` holds of the spans received, or rejects after `timeoutMs`. */
  async waitFor (condition: (spans: ReceivedSpan[]) => boolean, timeoutMs = 30_000): Promise<void> {
    if (condition(this.spans)) return
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!condition(this.spans)) return
        this.waiters.delete(check)
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        this.waiters.delete(check)
        reject(new Error(`the spans did not arrive within ${timeoutMs} ms; received: ${this.spans.map(s => `${s.service}/${s.name}`).join(', ')}`))
      }, timeoutMs)
      this.waiters.add(check)
    })
  }

  async stop (): Promise<void> {
    await new Promise<void>(resolve => this.server.close(() => { resolve() }))
  }

  private take (body: any): void {
    for (const rs of body.resourceSpans ?? []) {
      const service = rs.resource?.attributes?.find((a: any) => a.key === 'service.name')?.value?.stringValue ?? ''
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            service,
            traceId: s.traceId,
            spanId: s.spanId,
            ...(s.parentSpanId != null && s.parentSpanId !== '' ? { parentSpanId: s.parentSpanId } : {}),
            name: s.name,
            attributes: Object.fromEntries((s.attributes ?? []).map((a: any) => [a.key, Object.values(a.value)[0]])),
            events: (s.events ?? []).map((e: any) => e.name),
            ...(s.status?.code != null ? { status: s.status.code } : {}),
            start: BigInt(s.startTimeUnixNano),
            end: BigInt(s.endTimeUnixNano)
          })
        }
      }
    }
    for (const check of [...this.waiters]) check()
  }
}
