import { AgentEvent, type AgentExecutionEvent, type AgentExecutor, type ExecutionEventBus, type RequestContext } from '@a2a-js/sdk/server'
import { Role, TaskState, type Message, type Part, type Task } from '@a2a-js/sdk'
import type { AdminHandle } from '../admin/handle.js'
import type { TaskOutcome } from '../core/snapshots.js'
import type { JsonValue } from '../core/task.js'

/** A taskmesh task state, as A2A says it. */
const FINAL: Record<TaskOutcome['status'], TaskState> = {
  succeeded: TaskState.TASK_STATE_COMPLETED,
  failed: TaskState.TASK_STATE_FAILED,
  skipped: TaskState.TASK_STATE_FAILED,
  cancelled: TaskState.TASK_STATE_CANCELED
}

/**
 * The network as one A2A agent: a message becomes a taskmesh task of the type its `metadata.skill` names,
 * its data part (or its text) the payload, `metadata.dependsOn` the tasks of the same context it waits for.
 * The task's life comes back as A2A events, from the admin's own: submitted, working once a worker has it, and
 * completed with its output as an artifact, or failed or canceled with the reason. A message naming no skill
 * a connected worker handles is rejected, saying which skills there are.
 */
export class TaskmeshExecutor implements AgentExecutor {
  private readonly admin: AdminHandle
  /** The tasks followed, each with what to do on its admin events: one listener each on the admin, not one per task. */
  private readonly following = new Map<string, { assigned: (worker: string) => void, completed: (outcome: TaskOutcome) => void }>()

  private readonly onAssigned = ({ detail }: CustomEvent<{ taskId: string, worker: string }>): void => { this.following.get(detail.taskId)?.assigned(detail.worker) }
  private readonly onCompleted = ({ detail }: CustomEvent<TaskOutcome>): void => { this.following.get(detail.id)?.completed(detail) }

  constructor (admin: AdminHandle) {
    this.admin = admin
  }

  /**
   * Listens to the admin only while it follows a task: the admin builds an event per assignment only for
   * someone listening, and an admin that served one A2A request long ago should not pay for it still.
   */
  private followed (taskId: string, follower: { assigned: (worker: string) => void, completed: (outcome: TaskOutcome) => void } | undefined): void {
    const before = this.following.size
    if (follower != null) this.following.set(taskId, follower)
    else this.following.delete(taskId)
    if (before === 0 && this.following.size > 0) {
      this.admin.addEventListener('task:assigned', this.onAssigned)
      this.admin.addEventListener('task:completed', this.onCompleted)
    } else if (before > 0 && this.following.size === 0) {
      this.admin.removeEventListener('task:assigned', this.onAssigned)
      this.admin.removeEventListener('task:completed', this.onCompleted)
    }
  }

  async execute (ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const message = ctx.userMessage
    const { taskId, contextId } = ctx
    const skill = message.metadata?.skill
    const skills = connectedSkills(this.admin)
    const reject = (reason: string): void => {
      bus.publish(AgentEvent.task(a2aTask(taskId, contextId, TaskState.TASK_STATE_REJECTED, message, reason)))
      bus.finished()
    }
    if (typeof skill !== 'string' || skill === '') return reject(`name the task type in the message's metadata.skill; skills: ${[...skills].join(', ') || 'none (no worker is connected)'}`)
    if (!skills.has(skill)) return reject(`no connected worker handles type "${skill}"; skills: ${[...skills].join(', ') || 'none'}`)
    const dependsOn = message.metadata?.dependsOn
    const ended = this.follow(taskId, contextId, bus)
    try {
      this.admin.submit([{ id: taskId, type: skill, description: textOf(message.parts).slice(0, 1024), ...payloadOf(message.parts), ...(Array.isArray(dependsOn) ? { depends_on: dependsOn } : {}) }])
      await this.admin.recorded()
    } catch (err) {
      ended.stop()
      return reject((err as Error).message)
    }
    // the client hears of the task once the journal has it; what happened meanwhile follows it
    bus.publish(AgentEvent.task(a2aTask(taskId, contextId, TaskState.TASK_STATE_SUBMITTED, message)))
    ended.release()
    await ended.done
  }

  async cancelTask (taskId: string, _bus: ExecutionEventBus): Promise<void> {
    // the admin's completion event says "canceled" on the task's own bus (see follow)
    this.admin.cancel(taskId, 'cancelled over A2A')
    await this.admin.recorded()
  }

  /** The admin's events about a task, as A2A events on its bus, until it is final. */
  private follow (taskId: string, contextId: string, realBus: ExecutionEventBus): { done: Promise<void>, stop: () => void, release: () => void } {
    let stop = (): void => {}
    // held until the task's first event has gone out (the journal may take a while; a worker may not)
    let held: AgentExecutionEvent[] | undefined = []
    let finish = false
    const bus = {
      publish: (event: AgentExecutionEvent): void => { if (held != null) held.push(event); else realBus.publish(event) },
      finished: (): void => { if (held != null) finish = true; else realBus.finished() }
    }
    const release = (): void => {
      const events = held ?? []
      held = undefined
      for (const event of events) realBus.publish(event)
      if (finish) realBus.finished()
    }
    const done = new Promise<void>(resolve => {
      const assigned = (worker: string): void => {
        bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status: { state: TaskState.TASK_STATE_WORKING, message: agentMessage(taskId, contextId, `running on worker ${worker}`), timestamp: new Date().toISOString() }, metadata: undefined }))
      }
      const completed = (detail: TaskOutcome): void => {
        if (detail.status === 'succeeded') {
          bus.publish(AgentEvent.artifactUpdate({ taskId, contextId, artifact: { artifactId: `${taskId}-output`, name: 'output', description: '', parts: [dataPart(detail.output ?? null)], metadata: undefined, extensions: [] }, append: false, lastChunk: true, metadata: undefined }))
        }
        bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status: { state: FINAL[detail.status], message: detail.error != null ? agentMessage(taskId, contextId, detail.error) : undefined, timestamp: new Date().toISOString() }, metadata: undefined }))
        stop()
        bus.finished()
        resolve()
      }
      this.followed(taskId, { assigned, completed })
      stop = () => {
        this.followed(taskId, undefined)
        resolve()
      }
    })
    return { done, stop, release }
  }
}

/** The task types the connected workers handle: the skills the card lists. */
export function connectedSkills (admin: AdminHandle): Set<string> {
  return new Set(admin.view.workers().filter(w => w.online).flatMap(w => w.types ?? []))
}

function a2aTask (id: string, contextId: string, state: TaskState, message: Message, reason?: string): Task {
  return { id, contextId, status: { state, message: reason != null ? agentMessage(id, contextId, reason) : undefined, timestamp: new Date().toISOString() }, artifacts: [], history: [message], metadata: undefined }
}

function agentMessage (taskId: string, contextId: string, text: string): Message {
  return { messageId: `${taskId}-${Date.now().toString(36)}`, contextId, taskId, role: Role.ROLE_AGENT, parts: [{ content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' }], metadata: undefined, extensions: [], referenceTaskIds: [] }
}

function dataPart (value: JsonValue): Part {
  return { content: { $case: 'data', value }, metadata: undefined, filename: '', mediaType: 'application/json' }
}

/** The payload: the one data part's value, or the parts' data values as a list; without data, the text as `{ text }`. */
function payloadOf (parts: readonly Part[]): { payload?: unknown } {
  const data = parts.flatMap(p => p.content?.$case === 'data' ? [p.content.value as unknown] : [])
  if (data.length === 1) return { payload: data[0] }
  if (data.length > 1) return { payload: data }
  const text = textOf(parts)
  return text !== '' ? { payload: { text } } : {}
}

function textOf (parts: readonly Part[]): string {
  return parts.flatMap(p => p.content?.$case === 'text' ? [p.content.value] : []).join('\n')
}

