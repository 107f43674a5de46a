import { WorkerService, type WorkerComponents, type WorkerInit } from './worker-service.js'

export { WorkerService, type WorkerInit, type WorkerComponents } from './worker-service.js'
export * from './events.js'
export { simulate, type TaskHandler, type TaskContext, type HandlerOptions, type SimulateOptions } from './handlers.js'
export { parseAdminAddress, type AdminTarget } from './admin-address.js'
export { batch, MAX_BATCH, type BatchOptions, type BatchHandler, type BatchTask, type BatchingHandler } from './batch.js'
export { WorkerAgent, type WorkerAgentOptions } from './worker-agent.js'

/** The worker as a libp2p service, for composing into your own node. */
export function taskWorker (init: WorkerInit): (components: WorkerComponents) => WorkerService {
  return (components) => new WorkerService(components, init)
}
