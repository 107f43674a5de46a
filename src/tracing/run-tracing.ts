import type { Tracer } from './tracer.js'
import type { RunTracing } from '../worker/task-runner.js'

/**
 * A worker's spans: `run` for each attempt its handler runs, in the trace of the admin's `attempt` span
 * whose context came with the assignment (a trace of its own when none came).
 */
export function runTracing (tracer: Tracer, worker: string): RunTracing {
  return assignment => {
    const span = tracer.start('run', {
      // the propagator reads only a well-formed context; anything else starts a trace of its own
      ...(assignment.traceparent !== '' && assignment.traceparent.length <= 64 ? { parent: assignment.traceparent } : {}),
      attributes: { 'taskmesh.task.id': assignment.taskId, 'taskmesh.task.type': assignment.type, 'taskmesh.attempt': assignment.attempt, 'taskmesh.worker': worker }
    })
    return {
      traceparent: span.traceparent,
      end: result => { span.end(result.success ? {} : { error: result.error }) }
    }
  }
}
