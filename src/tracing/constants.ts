/** Defaults and limits of tracing (OpenTelemetry), in one place. */

/** Spans wait at most this long before they are exported, in batches. */
export const EXPORT_DELAY_MS = 1000
/** Spans held for export at most; past this, new ones are dropped (a collector that does not keep up). */
export const MAX_QUEUED_SPANS = 8192
/** Tasks whose spans are open at once, at most; tasks past this are not traced until some finish. */
export const MAX_TRACED_TASKS = 100_000
/** How long a shutdown waits for the last spans to reach the collector. */
export const SHUTDOWN_TIMEOUT_MS = 5000
/** The environment variable OpenTelemetry's exporters read, taken when no endpoint is given. */
export const OTEL_ENDPOINT_ENV = 'OTEL_EXPORTER_OTLP_ENDPOINT'
