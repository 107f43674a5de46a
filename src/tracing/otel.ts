import { ROOT_CONTEXT, SpanStatusCode, defaultTextMapGetter, defaultTextMapSetter, trace, type Context, type Span } from '@opentelemetry/api'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace'
import { EXPORT_DELAY_MS, MAX_QUEUED_SPANS, SHUTDOWN_TIMEOUT_MS } from './constants.js'
import type { SpanHandle, SpanOptions, Tracer } from './tracer.js'

const propagator = new W3CTraceContextPropagator()

/**
 * taskmesh's spans with the OpenTelemetry SDK: its own provider (never the process-wide one, so an admin
 * and a worker in one process, or an application's own tracing, stay apart), a batch exporter over
 * OTLP/HTTP (JSON), and W3C trace context carried explicitly, without a context manager.
 */
export class OtelTracer implements Tracer {
  private readonly provider: TracerProvider
  private readonly tracer: ReturnType<TracerProvider['getTracer']>

  constructor (endpoint: URL, service: string, instance?: string) {
    const base = endpoint.href.endsWith('/') ? endpoint.href : `${endpoint.href}/`
    const exporter = new OTLPTraceExporter({ url: new URL('v1/traces', base).href })
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': service, ...(instance != null ? { 'service.instance.id': instance } : {}) }),
      spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: EXPORT_DELAY_MS, maxQueueSize: MAX_QUEUED_SPANS, exportTimeoutMillis: SHUTDOWN_TIMEOUT_MS })]
    })
    this.tracer = this.provider.getTracer('taskmesh')
  }

  start (name: string, options: SpanOptions = {}): SpanHandle {
    const parent = options.parent == null
      ? ROOT_CONTEXT
      : options.parent instanceof OtelSpan
        ? options.parent.context
        : propagator.extract(ROOT_CONTEXT, { traceparent: typeof options.parent === 'string' ? options.parent : options.parent.traceparent }, defaultTextMapGetter)
    // times from the wall clock, as the admin's own (a task's ready time) and as another process reads it
    const span = this.tracer.startSpan(name, { startTime: options.startTime ?? Date.now(), ...(options.attributes != null ? { attributes: options.attributes } : {}) }, parent)
    return new OtelSpan(span)
  }

  async shutdown (): Promise<void> {
    await this.provider.shutdown()
  }
}

class OtelSpan implements SpanHandle {
  readonly context: Context
  private readonly span: Span
  private carried: string | undefined

  constructor (span: Span) {
    this.span = span
    this.context = trace.setSpan(ROOT_CONTEXT, span)
  }

  get traceparent (): string {
    if (this.carried == null) {
      const carrier: Record<string, string> = {}
      propagator.inject(this.context, carrier, defaultTextMapSetter)
      this.carried = carrier.traceparent ?? ''
    }
    return this.carried
  }

  event (name: string, attributes?: Record<string, string | number | boolean>): void {
    this.span.addEvent(name, attributes)
  }

  end (options: { error?: string, endTime?: number, attributes?: Record<string, string | number | boolean> } = {}): void {
    if (options.attributes != null) this.span.setAttributes(options.attributes)
    if (options.error != null) this.span.setStatus({ code: SpanStatusCode.ERROR, message: options.error })
    this.span.end(options.endTime ?? Date.now())
  }
}
