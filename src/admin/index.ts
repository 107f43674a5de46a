import { AdminService, type AdminComponents, type AdminInit } from './admin-service.js'
import { toTaskSpecs, type TaskInput } from '../tasks/normalize.js'
import type { TaskSpec } from '../core/task.js'

export { AdminService, type AdminInit, type AdminComponents } from './admin-service.js'
export type { AdminHandle, AdminLabels } from './handle.js'
export * from './events.js'

/**
 * The admin as a libp2p service, for composing into your own node. It uses the node's `pubsub` service
 * (gossipsub) for status broadcasts when there is one.
 *
 * @example
 * const node = await createLibp2p({ ..., services: { pubsub: gossipsub(), admin: taskAdmin({ tasks }) } })
 */
export function taskAdmin (init: TaskAdminInit = {}): (components: AdminComponents) => AdminService {
  // validated here, when the node is configured, so a bad task list fails before anything starts
  const tasks = init.tasks != null && init.tasks.length > 0 ? toTaskSpecs(init.tasks) : []
  return (components) => new AdminService(components, { ...init, tasks })
}

export interface TaskAdminInit extends Omit<AdminInit, 'tasks'> {
  /** Tasks in any accepted format (see `TaskInput`); a ValidationError lists every problem. */
  tasks?: ReadonlyArray<TaskInput | TaskSpec>
}
