// An embedding-like model for the batch figure: one call at a time (a GPU), each costing 20 ms whatever its
// size, plus 0.05 ms a text. `embed` takes batches of up to 100; `embedOne` a task a call.
import { setTimeout as sleep } from 'node:timers/promises'
import { batch } from '../../dist/index.js'

let model = Promise.resolve()
const call = (texts) => (model = model.then(async () => {
  await sleep(20 + 0.05 * texts.length)
  return texts.map(t => [t.length])
}))

export const embed = batch({ max: 100, wait: 0.05 }, async (tasks) => (await call(tasks.map(t => t.payload.text))).map(vector => ({ vector })))

export async function embedOne (task) {
  const [vector] = await call([task.payload.text])
  return { vector }
}
