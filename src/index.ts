/**
 * taskmesh: a peer-to-peer network that assigns tasks to worker agents by skill and capability, on libp2p.
 *
 * - `TaskManager` and `WorkerAgent` are the admin and worker peers, ready to run.
 * - `taskAdmin()` and `taskWorker()` are the same as libp2p services, to compose into your own node.
 * - `Scheduler` is the pure scheduling core, usable without any network.
 * - `AdminClient` drives a running admin; `createMcpServer()` offers it to LLM agents as MCP tools.
 */
export * from './errors.js'
export { TaskManager, type TaskManagerOptions, type AdminDetails } from './manager/task-manager.js'
export * from './admin/index.js'
export * from './worker/index.js'
export { Scheduler, type SchedulerOptions, type Summary, type TaskCounts, type ReportOutcome, type ReportedResult, type NoWorkerPolicy, type SubmitResult, type Lease } from './core/scheduler.js'
export { SchedulerView } from './core/view.js'
export { taskSpec, type TaskSpec, type TaskState, type FinalState, type RetryPolicy, type JsonValue, type AttemptOutcome } from './core/task.js'
export type { TaskSnapshot, HistoryEntry, Attempt, TaskOutcome, ArchivedTask } from './core/snapshots.js'
export { workerSnapshot, type WorkerInfo, type WorkerRegistration, type WorkerStatusUpdate } from './core/registry.js'
export { BUILT_IN_STRATEGIES, customStrategy, type Strategy, type SelectFunction, type Observation } from './core/strategies/index.js'
export { isDurable, type SchedulerEvent, type DurableEvent } from './core/events.js'
export { normalizeTasks, toTaskSpecs, type TaskInput } from './tasks/normalize.js'
export { loadTaskFile, parseTasks } from './tasks/load.js'
export { MemoryJournal, type Journal } from './store/journal.js'
export { SqliteJournal, JOURNAL_FILE, type SqliteJournalOptions } from './store/sqlite-journal.js'
export { createNode, type NodeOptions } from './node/create-node.js'
export { loadOrCreateKey, createKeyFile } from './node/identity.js'
export { TASK_PROTOCOL, CLIENT_PROTOCOL, statusTopic } from './protocol/constants.js'
export { AdminClient, type AdminClientOptions, type AdminEvent } from './client/admin-client.js'
export { AdminApi, API_METHODS, type TaskRow, type TaskView, type SummaryView } from './admin/api.js'
export { issueAgentToken } from './admin/agent-token.js'
export { TASK_STATES } from './core/task.js'
export type { HttpServerOptions } from './http/server.js'
export { evaluateAlerts, ALERT_NAMES, type AlertThresholds, type AlertName } from './monitoring/alerts.js'
export type { AlertMonitorOptions } from './monitoring/alert-monitor.js'
export { createMcpServer, type TaskmeshMcpOptions } from './mcp/server.js'
export { AdminLink } from './mcp/admin-link.js'
export { verifyWebhook, signWebhook } from './webhooks/signature.js'
export { WEBHOOK_EVENTS, parseWebhook, type WebhookTarget, type WebhookEvent } from './webhooks/targets.js'
export type { WebhookBody } from './webhooks/webhooks.js'
