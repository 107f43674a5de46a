/// <reference lib="dom" />
/**
 * Node globals the worker reaches, in a page (injected by the bundler): the browser tells neither CPU time
 * nor memory, and has no setImmediate.
 */
export const process = {
  cpuUsage: (): { user: number, system: number } => ({ user: 0, system: 0 }),
  memoryUsage: { rss: (): number => 0 },
  env: {}
}

/** After the current turn, as Node's setImmediate (a message to itself: no 4 ms clamp as setTimeout has). */
const queue: Array<() => void> = []
const channel = new MessageChannel()
channel.port1.onmessage = () => {
  for (const run of queue.splice(0)) run()
}

export function setImmediate (run: () => void): void {
  queue.push(run)
  if (queue.length === 1) channel.port2.postMessage(0)
}
