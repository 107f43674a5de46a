import { ValidationError } from '../errors.js'
import { OTEL_ENDPOINT_ENV } from './constants.js'

/** A span in progress, as taskmesh uses one. */
export interface SpanHandle {
  /** Its W3C trace context (`traceparent`), for the next process to continue the trace. */
  readonly traceparent: string
  /** Something that happened during it (`journaled`). */
  event(name: string, attributes?: Record<string, string | number | boolean>): void
  /** Ends it, as an error when `error` is given; at `endTime` (ms since the epoch) when given, else now. */
  end(options?: { error?: string, endTime?: number, attributes?: Record<string, string | number | boolean> }): void
}

export interface SpanOptions {
  /** The span it is part of: one of this process's, or a `traceparent` from another. A new trace without. */
  parent?: SpanHandle | string
  /** ms since the epoch; now when not given. */
  startTime?: number
  attributes?: Record<string, string | number | boolean>
}

/** What taskmesh needs of a tracing SDK: spans, W3C trace context, and a flush at the end. */
export interface Tracer {
  start(name: string, options?: SpanOptions): SpanHandle
  /** Exports what is left and stops. */
  shutdown(): Promise<void>
}

/**
 * The tracer an admin or a worker exports its spans with, over OTLP/HTTP to `endpoint` (or
 * `OTEL_EXPORTER_OTLP_ENDPOINT`), named `service`; undefined, with nothing loaded, when neither is set.
 * The OpenTelemetry packages are loaded only here.
 */
export async function startTracer (options: { endpoint?: string, service: string, instance?: string, env?: NodeJS.ProcessEnv }): Promise<Tracer | undefined> {
  const fromEnv = (options.env ?? process.env)[OTEL_ENDPOINT_ENV]
  const endpoint = options.endpoint ?? (fromEnv !== '' ? fromEnv : undefined)
  if (endpoint == null) return undefined
  const field = options.endpoint != null ? '--otel-endpoint' : OTEL_ENDPOINT_ENV
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    throw new ValidationError([{ path: field, message: `"${endpoint}" is not a URL: give the collector's OTLP/HTTP address, such as http://127.0.0.1:4318` }], { subject: 'options' })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError([{ path: field, message: `"${endpoint}" is not an http or https URL: give the collector's OTLP/HTTP address, such as http://127.0.0.1:4318` }], { subject: 'options' })
  const { OtelTracer } = await import('./otel.js')
  return new OtelTracer(url, options.service, options.instance)
}
