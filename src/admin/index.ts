import { AdminService, type AdminComponents, type AdminInit } from './admin-service.js'

export { AdminService, type AdminInit, type AdminComponents } from './admin-service.js'
export * from './events.js'
export { TaskManager, type TaskManagerOptions, type AdminDetails } from './task-manager.js'

/**
 * The admin as a libp2p service, for composing into your own node. It uses the node's `pubsub` service
 * (gossipsub) for status broadcasts when there is one.
 *
 * @example
 * const node = await createLibp2p({ ..., services: { pubsub: gossipsub(), admin: taskAdmin({ tasks }) } })
 */
export function taskAdmin (init: AdminInit = {}): (components: AdminComponents) => AdminService {
  return (components) => new AdminService(components, init)
}
