/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, MaxLengthError, MaxSizeError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Frame {
  register?: Register
  registerAck?: RegisterAck
  assignment?: TaskAssignment
  result?: TaskResult
  heartbeat?: Heartbeat
  cancel?: CancelAttempt
  resultAck?: ResultAck
  drain?: Drain
  handlers?: Handlers
  alive?: Alive
  allDone?: AllDone
  batch?: Batch
}

export namespace Frame {
  let _codec: Codec<Frame>

  export const codec = (): Codec<Frame> => {
    if (_codec == null) {
      _codec = message<Frame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.register != null) {
          w.uint32(10)
          Register.codec().encode(obj.register, w)
        }

        if (obj.registerAck != null) {
          w.uint32(18)
          RegisterAck.codec().encode(obj.registerAck, w)
        }

        if (obj.assignment != null) {
          w.uint32(26)
          TaskAssignment.codec().encode(obj.assignment, w)
        }

        if (obj.result != null) {
          w.uint32(34)
          TaskResult.codec().encode(obj.result, w)
        }

        if (obj.heartbeat != null) {
          w.uint32(42)
          Heartbeat.codec().encode(obj.heartbeat, w)
        }

        if (obj.cancel != null) {
          w.uint32(50)
          CancelAttempt.codec().encode(obj.cancel, w)
        }

        if (obj.resultAck != null) {
          w.uint32(58)
          ResultAck.codec().encode(obj.resultAck, w)
        }

        if (obj.drain != null) {
          w.uint32(66)
          Drain.codec().encode(obj.drain, w)
        }

        if (obj.handlers != null) {
          w.uint32(74)
          Handlers.codec().encode(obj.handlers, w)
        }

        if (obj.alive != null) {
          w.uint32(82)
          Alive.codec().encode(obj.alive, w)
        }

        if (obj.allDone != null) {
          w.uint32(90)
          AllDone.codec().encode(obj.allDone, w)
        }

        if (obj.batch != null) {
          w.uint32(98)
          Batch.codec().encode(obj.batch, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.register = Register.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.register
              })
              break
            }
            case 2: {
              obj.registerAck = RegisterAck.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.registerAck
              })
              break
            }
            case 3: {
              obj.assignment = TaskAssignment.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.assignment
              })
              break
            }
            case 4: {
              obj.result = TaskResult.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.result
              })
              break
            }
            case 5: {
              obj.heartbeat = Heartbeat.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.heartbeat
              })
              break
            }
            case 6: {
              obj.cancel = CancelAttempt.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.cancel
              })
              break
            }
            case 7: {
              obj.resultAck = ResultAck.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.resultAck
              })
              break
            }
            case 8: {
              obj.drain = Drain.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.drain
              })
              break
            }
            case 9: {
              obj.handlers = Handlers.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.handlers
              })
              break
            }
            case 10: {
              obj.alive = Alive.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.alive
              })
              break
            }
            case 11: {
              obj.allDone = AllDone.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.allDone
              })
              break
            }
            case 12: {
              obj.batch = Batch.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.batch
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Register.codec().stream(reader, reader.uint32(), `${prefix}.register`, {
                limits: opts.limits?.register
              })

              break
            }
            case 2: {
              yield * RegisterAck.codec().stream(reader, reader.uint32(), `${prefix}.registerAck`, {
                limits: opts.limits?.registerAck
              })

              break
            }
            case 3: {
              yield * TaskAssignment.codec().stream(reader, reader.uint32(), `${prefix}.assignment`, {
                limits: opts.limits?.assignment
              })

              break
            }
            case 4: {
              yield * TaskResult.codec().stream(reader, reader.uint32(), `${prefix}.result`, {
                limits: opts.limits?.result
              })

              break
            }
            case 5: {
              yield * Heartbeat.codec().stream(reader, reader.uint32(), `${prefix}.heartbeat`, {
                limits: opts.limits?.heartbeat
              })

              break
            }
            case 6: {
              yield * CancelAttempt.codec().stream(reader, reader.uint32(), `${prefix}.cancel`, {
                limits: opts.limits?.cancel
              })

              break
            }
            case 7: {
              yield * ResultAck.codec().stream(reader, reader.uint32(), `${prefix}.resultAck`, {
                limits: opts.limits?.resultAck
              })

              break
            }
            case 8: {
              yield * Drain.codec().stream(reader, reader.uint32(), `${prefix}.drain`, {
                limits: opts.limits?.drain
              })

              break
            }
            case 9: {
              yield * Handlers.codec().stream(reader, reader.uint32(), `${prefix}.handlers`, {
                limits: opts.limits?.handlers
              })

              break
            }
            case 10: {
              yield * Alive.codec().stream(reader, reader.uint32(), `${prefix}.alive`, {
                limits: opts.limits?.alive
              })

              break
            }
            case 11: {
              yield * AllDone.codec().stream(reader, reader.uint32(), `${prefix}.allDone`, {
                limits: opts.limits?.allDone
              })

              break
            }
            case 12: {
              yield * Batch.codec().stream(reader, reader.uint32(), `${prefix}.batch`, {
                limits: opts.limits?.batch
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface FrameRegisterNameFieldEvent {
    field: '$.register.name'
    value: string
  }

  export interface FrameRegisterSkillFieldEvent {
    field: '$.register.skill'
    value: number
  }

  export interface FrameRegisterCapabilitiesFieldEvent {
    field: '$.register.capabilities[]'
    index: number
    value: string
  }

  export interface FrameRegisterMaxConcurrentFieldEvent {
    field: '$.register.maxConcurrent'
    value: number
  }

  export interface FrameRegisterPriorityFieldEvent {
    field: '$.register.priority'
    value: number
  }

  export interface FrameRegisterLeasesTaskIdFieldEvent {
    field: '$.register.leases[].taskId'
    value: string
    index: number
  }

  export interface FrameRegisterLeasesAttemptFieldEvent {
    field: '$.register.leases[].attempt'
    value: number
    index: number
  }

  export interface FrameRegisterLeasesTokenFieldEvent {
    field: '$.register.leases[].token'
    value: string
    index: number
  }

  export interface FrameRegisterVersionFieldEvent {
    field: '$.register.version'
    value: string
  }

  export interface FrameRegisterTypesFieldEvent {
    field: '$.register.types[]'
    index: number
    value: string
  }

  export interface FrameRegisterResourcesFieldEvent {
    field: '$.register.resources{}'
    key: string
    value: number
  }

  export interface FrameRegisterBatchesFieldEvent {
    field: '$.register.batches'
    value: boolean
  }

  export interface FrameRegisterAckNetworkFieldEvent {
    field: '$.registerAck.network'
    value: string
  }

  export interface FrameRegisterAckLeaseTtlMsFieldEvent {
    field: '$.registerAck.leaseTtlMs'
    value: number
  }

  export interface FrameRegisterAckHeartbeatMsFieldEvent {
    field: '$.registerAck.heartbeatMs'
    value: number
  }

  export interface FrameRegisterAckErrorFieldEvent {
    field: '$.registerAck.error'
    value: string
  }

  export interface FrameRegisterAckErrorNameFieldEvent {
    field: '$.registerAck.errorName'
    value: string
  }

  export interface FrameRegisterAckRetryAfterMsFieldEvent {
    field: '$.registerAck.retryAfterMs'
    value: number
  }

  export interface FrameRegisterAckAnswersProbesFieldEvent {
    field: '$.registerAck.answersProbes'
    value: boolean
  }

  export interface FrameRegisterAckBatchesFieldEvent {
    field: '$.registerAck.batches'
    value: boolean
  }

  export interface FrameAssignmentTaskIdFieldEvent {
    field: '$.assignment.taskId'
    value: string
  }

  export interface FrameAssignmentAttemptFieldEvent {
    field: '$.assignment.attempt'
    value: number
  }

  export interface FrameAssignmentTokenFieldEvent {
    field: '$.assignment.token'
    value: string
  }

  export interface FrameAssignmentDescriptionFieldEvent {
    field: '$.assignment.description'
    value: string
  }

  export interface FrameAssignmentTypeFieldEvent {
    field: '$.assignment.type'
    value: string
  }

  export interface FrameAssignmentDifficultyFieldEvent {
    field: '$.assignment.difficulty'
    value: number
  }

  export interface FrameAssignmentPayloadFieldEvent {
    field: '$.assignment.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameAssignmentInputsFieldEvent {
    field: '$.assignment.inputs'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameAssignmentTimeoutMsFieldEvent {
    field: '$.assignment.timeoutMs'
    value: number
  }

  export interface FrameAssignmentTraceparentFieldEvent {
    field: '$.assignment.traceparent'
    value: string
  }

  export interface FrameResultTaskIdFieldEvent {
    field: '$.result.taskId'
    value: string
  }

  export interface FrameResultAttemptFieldEvent {
    field: '$.result.attempt'
    value: number
  }

  export interface FrameResultTokenFieldEvent {
    field: '$.result.token'
    value: string
  }

  export interface FrameResultSuccessFieldEvent {
    field: '$.result.success'
    value: boolean
  }

  export interface FrameResultOutputFieldEvent {
    field: '$.result.output'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FrameResultErrorFieldEvent {
    field: '$.result.error'
    value: string
  }

  export interface FrameResultDurationMsFieldEvent {
    field: '$.result.durationMs'
    value: number
  }

  export interface FrameResultUnrecoverableFieldEvent {
    field: '$.result.unrecoverable'
    value: boolean
  }

  export interface FrameHeartbeatRunningFieldEvent {
    field: '$.heartbeat.running'
    value: number
  }

  export interface FrameHeartbeatCpuFieldEvent {
    field: '$.heartbeat.cpu'
    value: number
  }

  export interface FrameHeartbeatMemoryBytesFieldEvent {
    field: '$.heartbeat.memoryBytes'
    value: number
  }

  export interface FrameHeartbeatProbeFieldEvent {
    field: '$.heartbeat.probe'
    value: boolean
  }

  export interface FrameCancelTaskIdFieldEvent {
    field: '$.cancel.taskId'
    value: string
  }

  export interface FrameCancelAttemptFieldEvent {
    field: '$.cancel.attempt'
    value: number
  }

  export interface FrameCancelReasonFieldEvent {
    field: '$.cancel.reason'
    value: string
  }

  export interface FrameResultAckTaskIdFieldEvent {
    field: '$.resultAck.taskId'
    value: string
  }

  export interface FrameResultAckAttemptFieldEvent {
    field: '$.resultAck.attempt'
    value: number
  }

  export interface FrameResultAckAcceptedFieldEvent {
    field: '$.resultAck.accepted'
    value: boolean
  }

  export interface FrameDrainReasonFieldEvent {
    field: '$.drain.reason'
    value: string
  }

  export interface FrameHandlersTypesFieldEvent {
    field: '$.handlers.types[]'
    index: number
    value: string
  }

  export interface FrameAllDoneTotalFieldEvent {
    field: '$.allDone.total'
    value: number
  }

  export interface FrameAllDoneSucceededFieldEvent {
    field: '$.allDone.succeeded'
    value: number
  }

  export interface FrameAllDoneFailedFieldEvent {
    field: '$.allDone.failed'
    value: number
  }

  export interface FrameAllDoneSkippedFieldEvent {
    field: '$.allDone.skipped'
    value: number
  }

  export interface FrameAllDoneCancelledFieldEvent {
    field: '$.allDone.cancelled'
    value: number
  }

  export interface FrameBatchAssignmentsTaskIdFieldEvent {
    field: '$.batch.assignments[].taskId'
    value: string
    index: number
  }

  export interface FrameBatchAssignmentsAttemptFieldEvent {
    field: '$.batch.assignments[].attempt'
    value: number
    index: number
  }

  export interface FrameBatchAssignmentsTokenFieldEvent {
    field: '$.batch.assignments[].token'
    value: string
    index: number
  }

  export interface FrameBatchAssignmentsDescriptionFieldEvent {
    field: '$.batch.assignments[].description'
    value: string
    index: number
  }

  export interface FrameBatchAssignmentsTypeFieldEvent {
    field: '$.batch.assignments[].type'
    value: string
    index: number
  }

  export interface FrameBatchAssignmentsDifficultyFieldEvent {
    field: '$.batch.assignments[].difficulty'
    value: number
    index: number
  }

  export interface FrameBatchAssignmentsPayloadFieldEvent {
    field: '$.batch.assignments[].payload'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameBatchAssignmentsInputsFieldEvent {
    field: '$.batch.assignments[].inputs'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameBatchAssignmentsTimeoutMsFieldEvent {
    field: '$.batch.assignments[].timeoutMs'
    value: number
    index: number
  }

  export interface FrameBatchAssignmentsTraceparentFieldEvent {
    field: '$.batch.assignments[].traceparent'
    value: string
    index: number
  }

  export interface FrameBatchResultsTaskIdFieldEvent {
    field: '$.batch.results[].taskId'
    value: string
    index: number
  }

  export interface FrameBatchResultsAttemptFieldEvent {
    field: '$.batch.results[].attempt'
    value: number
    index: number
  }

  export interface FrameBatchResultsTokenFieldEvent {
    field: '$.batch.results[].token'
    value: string
    index: number
  }

  export interface FrameBatchResultsSuccessFieldEvent {
    field: '$.batch.results[].success'
    value: boolean
    index: number
  }

  export interface FrameBatchResultsOutputFieldEvent {
    field: '$.batch.results[].output'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface FrameBatchResultsErrorFieldEvent {
    field: '$.batch.results[].error'
    value: string
    index: number
  }

  export interface FrameBatchResultsDurationMsFieldEvent {
    field: '$.batch.results[].durationMs'
    value: number
    index: number
  }

  export interface FrameBatchResultsUnrecoverableFieldEvent {
    field: '$.batch.results[].unrecoverable'
    value: boolean
    index: number
  }

  export interface FrameBatchResultAcksTaskIdFieldEvent {
    field: '$.batch.resultAcks[].taskId'
    value: string
    index: number
  }

  export interface FrameBatchResultAcksAttemptFieldEvent {
    field: '$.batch.resultAcks[].attempt'
    value: number
    index: number
  }

  export interface FrameBatchResultAcksAcceptedFieldEvent {
    field: '$.batch.resultAcks[].accepted'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<Frame>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Frame.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Frame {
    return decodeMessage(buf, Frame.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Frame>): Generator<FrameRegisterNameFieldEvent | FrameRegisterSkillFieldEvent | FrameRegisterCapabilitiesFieldEvent | FrameRegisterMaxConcurrentFieldEvent | FrameRegisterPriorityFieldEvent | FrameRegisterLeasesTaskIdFieldEvent | FrameRegisterLeasesAttemptFieldEvent | FrameRegisterLeasesTokenFieldEvent | FrameRegisterVersionFieldEvent | FrameRegisterTypesFieldEvent | FrameRegisterResourcesFieldEvent | FrameRegisterBatchesFieldEvent | FrameRegisterAckNetworkFieldEvent | FrameRegisterAckLeaseTtlMsFieldEvent | FrameRegisterAckHeartbeatMsFieldEvent | FrameRegisterAckErrorFieldEvent | FrameRegisterAckErrorNameFieldEvent | FrameRegisterAckRetryAfterMsFieldEvent | FrameRegisterAckAnswersProbesFieldEvent | FrameRegisterAckBatchesFieldEvent | FrameAssignmentTaskIdFieldEvent | FrameAssignmentAttemptFieldEvent | FrameAssignmentTokenFieldEvent | FrameAssignmentDescriptionFieldEvent | FrameAssignmentTypeFieldEvent | FrameAssignmentDifficultyFieldEvent | FrameAssignmentPayloadFieldEvent | FrameAssignmentInputsFieldEvent | FrameAssignmentTimeoutMsFieldEvent | FrameAssignmentTraceparentFieldEvent | FrameResultTaskIdFieldEvent | FrameResultAttemptFieldEvent | FrameResultTokenFieldEvent | FrameResultSuccessFieldEvent | FrameResultOutputFieldEvent | FrameResultErrorFieldEvent | FrameResultDurationMsFieldEvent | FrameResultUnrecoverableFieldEvent | FrameHeartbeatRunningFieldEvent | FrameHeartbeatCpuFieldEvent | FrameHeartbeatMemoryBytesFieldEvent | FrameHeartbeatProbeFieldEvent | FrameCancelTaskIdFieldEvent | FrameCancelAttemptFieldEvent | FrameCancelReasonFieldEvent | FrameResultAckTaskIdFieldEvent | FrameResultAckAttemptFieldEvent | FrameResultAckAcceptedFieldEvent | FrameDrainReasonFieldEvent | FrameHandlersTypesFieldEvent | FrameAllDoneTotalFieldEvent | FrameAllDoneSucceededFieldEvent | FrameAllDoneFailedFieldEvent | FrameAllDoneSkippedFieldEvent | FrameAllDoneCancelledFieldEvent | FrameBatchAssignmentsTaskIdFieldEvent | FrameBatchAssignmentsAttemptFieldEvent | FrameBatchAssignmentsTokenFieldEvent | FrameBatchAssignmentsDescriptionFieldEvent | FrameBatchAssignmentsTypeFieldEvent | FrameBatchAssignmentsDifficultyFieldEvent | FrameBatchAssignmentsPayloadFieldEvent | FrameBatchAssignmentsInputsFieldEvent | FrameBatchAssignmentsTimeoutMsFieldEvent | FrameBatchAssignmentsTraceparentFieldEvent | FrameBatchResultsTaskIdFieldEvent | FrameBatchResultsAttemptFieldEvent | FrameBatchResultsTokenFieldEvent | FrameBatchResultsSuccessFieldEvent | FrameBatchResultsOutputFieldEvent | FrameBatchResultsErrorFieldEvent | FrameBatchResultsDurationMsFieldEvent | FrameBatchResultsUnrecoverableFieldEvent | FrameBatchResultAcksTaskIdFieldEvent | FrameBatchResultAcksAttemptFieldEvent | FrameBatchResultAcksAcceptedFieldEvent> {
    return streamMessage(buf, Frame.codec(), opts)
  }
}

export interface Batch {
  assignments: TaskAssignment[]
  results: TaskResult[]
  resultAcks: ResultAck[]
}

export namespace Batch {
  let _codec: Codec<Batch>

  export const codec = (): Codec<Batch> => {
    if (_codec == null) {
      _codec = message<Batch>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.assignments != null && obj.assignments.length > 0) {
          for (const value of obj.assignments) {
            w.uint32(10)
            TaskAssignment.codec().encode(value, w)
          }
        }

        if (obj.results != null && obj.results.length > 0) {
          for (const value of obj.results) {
            w.uint32(18)
            TaskResult.codec().encode(value, w)
          }
        }

        if (obj.resultAcks != null && obj.resultAcks.length > 0) {
          for (const value of obj.resultAcks) {
            w.uint32(26)
            ResultAck.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          assignments: [],
          results: [],
          resultAcks: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.assignments != null && obj.assignments.length === opts.limits.assignments) {
                throw new MaxLengthError('Decode error - repeated field "assignments" had too many elements')
              }

              if (obj.assignments.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "assignments" had too many elements')
              }

              obj.assignments.push(TaskAssignment.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.assignments$
              }))
              break
            }
            case 2: {
              if (opts.limits?.results != null && obj.results.length === opts.limits.results) {
                throw new MaxLengthError('Decode error - repeated field "results" had too many elements')
              }

              if (obj.results.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "results" had too many elements')
              }

              obj.results.push(TaskResult.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.results$
              }))
              break
            }
            case 3: {
              if (opts.limits?.resultAcks != null && obj.resultAcks.length === opts.limits.resultAcks) {
                throw new MaxLengthError('Decode error - repeated field "resultAcks" had too many elements')
              }

              if (obj.resultAcks.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "resultAcks" had too many elements')
              }

              obj.resultAcks.push(ResultAck.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.resultAcks$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          assignments: 1024,
          results: 1024,
          resultAcks: 1024
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.assignments != null && obj.assignments === opts.limits.assignments) {
                throw new MaxLengthError('Streaming decode error - repeated field "assignments" had too many elements')
              }

              if (obj.assignments === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "assignments" had too many elements')
              }

              for (const evt of TaskAssignment.codec().stream(reader, reader.uint32(), `${prefix}.assignments[]`, {
                limits: opts.limits?.assignments$
              })) {
                yield {
                  ...evt,
                  index: obj.assignments
                }
              }

              obj.assignments++

              break
            }
            case 2: {
              if (opts.limits?.results != null && obj.results === opts.limits.results) {
                throw new MaxLengthError('Streaming decode error - repeated field "results" had too many elements')
              }

              if (obj.results === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "results" had too many elements')
              }

              for (const evt of TaskResult.codec().stream(reader, reader.uint32(), `${prefix}.results[]`, {
                limits: opts.limits?.results$
              })) {
                yield {
                  ...evt,
                  index: obj.results
                }
              }

              obj.results++

              break
            }
            case 3: {
              if (opts.limits?.resultAcks != null && obj.resultAcks === opts.limits.resultAcks) {
                throw new MaxLengthError('Streaming decode error - repeated field "resultAcks" had too many elements')
              }

              if (obj.resultAcks === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "resultAcks" had too many elements')
              }

              for (const evt of ResultAck.codec().stream(reader, reader.uint32(), `${prefix}.resultAcks[]`, {
                limits: opts.limits?.resultAcks$
              })) {
                yield {
                  ...evt,
                  index: obj.resultAcks
                }
              }

              obj.resultAcks++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface BatchAssignmentsTaskIdFieldEvent {
    field: '$.assignments[].taskId'
    value: string
    index: number
  }

  export interface BatchAssignmentsAttemptFieldEvent {
    field: '$.assignments[].attempt'
    value: number
    index: number
  }

  export interface BatchAssignmentsTokenFieldEvent {
    field: '$.assignments[].token'
    value: string
    index: number
  }

  export interface BatchAssignmentsDescriptionFieldEvent {
    field: '$.assignments[].description'
    value: string
    index: number
  }

  export interface BatchAssignmentsTypeFieldEvent {
    field: '$.assignments[].type'
    value: string
    index: number
  }

  export interface BatchAssignmentsDifficultyFieldEvent {
    field: '$.assignments[].difficulty'
    value: number
    index: number
  }

  export interface BatchAssignmentsPayloadFieldEvent {
    field: '$.assignments[].payload'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BatchAssignmentsInputsFieldEvent {
    field: '$.assignments[].inputs'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BatchAssignmentsTimeoutMsFieldEvent {
    field: '$.assignments[].timeoutMs'
    value: number
    index: number
  }

  export interface BatchAssignmentsTraceparentFieldEvent {
    field: '$.assignments[].traceparent'
    value: string
    index: number
  }

  export interface BatchResultsTaskIdFieldEvent {
    field: '$.results[].taskId'
    value: string
    index: number
  }

  export interface BatchResultsAttemptFieldEvent {
    field: '$.results[].attempt'
    value: number
    index: number
  }

  export interface BatchResultsTokenFieldEvent {
    field: '$.results[].token'
    value: string
    index: number
  }

  export interface BatchResultsSuccessFieldEvent {
    field: '$.results[].success'
    value: boolean
    index: number
  }

  export interface BatchResultsOutputFieldEvent {
    field: '$.results[].output'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface BatchResultsErrorFieldEvent {
    field: '$.results[].error'
    value: string
    index: number
  }

  export interface BatchResultsDurationMsFieldEvent {
    field: '$.results[].durationMs'
    value: number
    index: number
  }

  export interface BatchResultsUnrecoverableFieldEvent {
    field: '$.results[].unrecoverable'
    value: boolean
    index: number
  }

  export interface BatchResultAcksTaskIdFieldEvent {
    field: '$.resultAcks[].taskId'
    value: string
    index: number
  }

  export interface BatchResultAcksAttemptFieldEvent {
    field: '$.resultAcks[].attempt'
    value: number
    index: number
  }

  export interface BatchResultAcksAcceptedFieldEvent {
    field: '$.resultAcks[].accepted'
    value: boolean
    index: number
  }

  export function encode (obj: Partial<Batch>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Batch.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Batch>): Batch {
    return decodeMessage(buf, Batch.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Batch>): Generator<BatchAssignmentsTaskIdFieldEvent | BatchAssignmentsAttemptFieldEvent | BatchAssignmentsTokenFieldEvent | BatchAssignmentsDescriptionFieldEvent | BatchAssignmentsTypeFieldEvent | BatchAssignmentsDifficultyFieldEvent | BatchAssignmentsPayloadFieldEvent | BatchAssignmentsInputsFieldEvent | BatchAssignmentsTimeoutMsFieldEvent | BatchAssignmentsTraceparentFieldEvent | BatchResultsTaskIdFieldEvent | BatchResultsAttemptFieldEvent | BatchResultsTokenFieldEvent | BatchResultsSuccessFieldEvent | BatchResultsOutputFieldEvent | BatchResultsErrorFieldEvent | BatchResultsDurationMsFieldEvent | BatchResultsUnrecoverableFieldEvent | BatchResultAcksTaskIdFieldEvent | BatchResultAcksAttemptFieldEvent | BatchResultAcksAcceptedFieldEvent> {
    return streamMessage(buf, Batch.codec(), opts)
  }
}

export interface Lease {
  taskId: string
  attempt: number
  token: string
}

export namespace Lease {
  let _codec: Codec<Lease>

  export const codec = (): Codec<Lease> => {
    if (_codec == null) {
      _codec = message<Lease>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(10)
          w.string(obj.taskId)
        }

        if ((obj.attempt != null && obj.attempt !== 0)) {
          w.uint32(16)
          w.uint32(obj.attempt)
        }

        if ((obj.token != null && obj.token !== '')) {
          w.uint32(26)
          w.string(obj.token)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskId: '',
          attempt: 0,
          token: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.taskId = reader.string()
              break
            }
            case 2: {
              obj.attempt = reader.uint32()
              break
            }
            case 3: {
              obj.token = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.attempt`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.token`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface LeaseTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface LeaseAttemptFieldEvent {
    field: '$.attempt'
    value: number
  }

  export interface LeaseTokenFieldEvent {
    field: '$.token'
    value: string
  }

  export function encode (obj: Partial<Lease>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Lease.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Lease>): Lease {
    return decodeMessage(buf, Lease.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Lease>): Generator<LeaseTaskIdFieldEvent | LeaseAttemptFieldEvent | LeaseTokenFieldEvent> {
    return streamMessage(buf, Lease.codec(), opts)
  }
}

export interface Register {
  name: string
  skill: number
  capabilities: string[]
  maxConcurrent: number
  priority: number
  leases: Lease[]
  version: string
  types: string[]
  resources: Map<string, number>
  batches?: boolean
}

export namespace Register {
  export interface Register$resourcesEntry {
    key: string
    value: number
  }

  export namespace Register$resourcesEntry {
    let _codec: Codec<Register$resourcesEntry>

    export const codec = (): Codec<Register$resourcesEntry> => {
      if (_codec == null) {
        _codec = message<Register$resourcesEntry>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.key != null && obj.key !== '')) {
            w.uint32(10)
            w.string(obj.key)
          }

          if ((obj.value != null && obj.value !== 0)) {
            w.uint32(17)
            w.double(obj.value)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            key: '',
            value: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.key = reader.string()
                break
              }
              case 2: {
                obj.value = reader.double()
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }

          return obj
        }, function * (reader, length, prefix, opts = {}) {
          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                yield {
                  field: `${prefix}.key`,
                  value: reader.string()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.value`,
                  value: reader.double()
                }
                break
              }
              default: {
                reader.skipType(tag & 7)
                break
              }
            }
          }
        })
      }

      return _codec
    }

    export interface Register$resourcesEntryKeyFieldEvent {
      field: '$.key'
      value: string
    }

    export interface Register$resourcesEntryValueFieldEvent {
      field: '$.value'
      value: number
    }

    export function encode (obj: Partial<Register$resourcesEntry>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, Register$resourcesEntry.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Register$resourcesEntry>): Register$resourcesEntry {
      return decodeMessage(buf, Register$resourcesEntry.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Register$resourcesEntry>): Generator<Register$resourcesEntryKeyFieldEvent | Register$resourcesEntryValueFieldEvent> {
      return streamMessage(buf, Register$resourcesEntry.codec(), opts)
    }
  }

  let _codec: Codec<Register>

  export const codec = (): Codec<Register> => {
    if (_codec == null) {
      _codec = message<Register>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.skill != null && obj.skill !== 0)) {
          w.uint32(17)
          w.double(obj.skill)
        }

        if (obj.capabilities != null && obj.capabilities.length > 0) {
          for (const value of obj.capabilities) {
            w.uint32(26)
            w.string(value)
          }
        }

        if ((obj.maxConcurrent != null && obj.maxConcurrent !== 0)) {
          w.uint32(32)
          w.uint32(obj.maxConcurrent)
        }

        if ((obj.priority != null && obj.priority !== 0)) {
          w.uint32(40)
          w.int32(obj.priority)
        }

        if (obj.leases != null && obj.leases.length > 0) {
          for (const value of obj.leases) {
            w.uint32(50)
            Lease.codec().encode(value, w)
          }
        }

        if ((obj.version != null && obj.version !== '')) {
          w.uint32(58)
          w.string(obj.version)
        }

        if (obj.types != null && obj.types.length > 0) {
          for (const value of obj.types) {
            w.uint32(66)
            w.string(value)
          }
        }

        if (obj.resources != null && obj.resources.size > 0) {
          for (const [key, value] of obj.resources.entries()) {
            w.uint32(74)
            Register.Register$resourcesEntry.codec().encode({ key, value }, w)
          }
        }

        if (obj.batches != null) {
          w.uint32(80)
          w.bool(obj.batches)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          skill: 0,
          capabilities: [],
          maxConcurrent: 0,
          priority: 0,
          leases: [],
          version: '',
          types: [],
          resources: new Map<string, number>()
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.skill = reader.double()
              break
            }
            case 3: {
              if (opts.limits?.capabilities != null && obj.capabilities.length === opts.limits.capabilities) {
                throw new MaxLengthError('Decode error - repeated field "capabilities" had too many elements')
              }

              if (obj.capabilities.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "capabilities" had too many elements')
              }

              obj.capabilities.push(reader.string())
              break
            }
            case 4: {
              obj.maxConcurrent = reader.uint32()
              break
            }
            case 5: {
              obj.priority = reader.int32()
              break
            }
            case 6: {
              if (opts.limits?.leases != null && obj.leases.length === opts.limits.leases) {
                throw new MaxLengthError('Decode error - repeated field "leases" had too many elements')
              }

              if (obj.leases.length === 4096) {
                throw new MaxLengthError('Decode error - repeated field "leases" had too many elements')
              }

              obj.leases.push(Lease.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.leases$
              }))
              break
            }
            case 7: {
              obj.version = reader.string()
              break
            }
            case 8: {
              if (opts.limits?.types != null && obj.types.length === opts.limits.types) {
                throw new MaxLengthError('Decode error - repeated field "types" had too many elements')
              }

              if (obj.types.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "types" had too many elements')
              }

              obj.types.push(reader.string())
              break
            }
            case 9: {
              if (opts.limits?.resources != null && obj.resources.size === opts.limits.resources) {
                throw new MaxSizeError('Decode error - map field "resources" had too many elements')
              }

              if (obj.resources.size === 64) {
                throw new MaxSizeError('Decode error - map field "resources" had too many elements')
              }

              const entry = Register.Register$resourcesEntry.codec().decode(reader, reader.uint32(), {
                limits: {
                  value: opts.limits?.resources$value
                }
              })
              obj.resources.set(entry.key, entry.value)
              break
            }
            case 10: {
              obj.batches = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          capabilities: 1024,
          leases: 4096,
          types: 1024,
          resources: 64
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.skill`,
                value: reader.double()
              }
              break
            }
            case 3: {
              if (opts.limits?.capabilities != null && obj.capabilities === opts.limits.capabilities) {
                throw new MaxLengthError('Streaming decode error - repeated field "capabilities" had too many elements')
              }

              if (obj.capabilities === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "capabilities" had too many elements')
              }

              yield {
                field: `${prefix}.capabilities[]`,
                index: obj.capabilities,
                value: reader.string()
              }

              obj.capabilities++

              break
            }
            case 4: {
              yield {
                field: `${prefix}.maxConcurrent`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.priority`,
                value: reader.int32()
              }
              break
            }
            case 6: {
              if (opts.limits?.leases != null && obj.leases === opts.limits.leases) {
                throw new MaxLengthError('Streaming decode error - repeated field "leases" had too many elements')
              }

              if (obj.leases === 4096) {
                throw new MaxLengthError('Streaming decode error - repeated field "leases" had too many elements')
              }

              for (const evt of Lease.codec().stream(reader, reader.uint32(), `${prefix}.leases[]`, {
                limits: opts.limits?.leases$
              })) {
                yield {
                  ...evt,
                  index: obj.leases
                }
              }

              obj.leases++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.version`,
                value: reader.string()
              }
              break
            }
            case 8: {
              if (opts.limits?.types != null && obj.types === opts.limits.types) {
                throw new MaxLengthError('Streaming decode error - repeated field "types" had too many elements')
              }

              if (obj.types === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "types" had too many elements')
              }

              yield {
                field: `${prefix}.types[]`,
                index: obj.types,
                value: reader.string()
              }

              obj.types++

              break
            }
            case 9: {
              if (opts.limits?.resources != null && obj.resources === opts.limits.resources) {
                throw new MaxLengthError('Decode error - map field "resources" had too many elements')
              }

              if (obj.resources === 64) {
                throw new MaxLengthError('Decode error - repeated field "resources" had too many elements')
              }

              yield * Register.Register$resourcesEntry.codec().stream(reader, reader.uint32(), `${prefix}.resources{}`, {
                limits: {
                  value: opts.limits?.resources$value
                }
              })

              obj.resources++

              break
            }
            case 10: {
              yield {
                field: `${prefix}.batches`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RegisterNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface RegisterSkillFieldEvent {
    field: '$.skill'
    value: number
  }

  export interface RegisterCapabilitiesFieldEvent {
    field: '$.capabilities[]'
    index: number
    value: string
  }

  export interface RegisterMaxConcurrentFieldEvent {
    field: '$.maxConcurrent'
    value: number
  }

  export interface RegisterPriorityFieldEvent {
    field: '$.priority'
    value: number
  }

  export interface RegisterLeasesTaskIdFieldEvent {
    field: '$.leases[].taskId'
    value: string
    index: number
  }

  export interface RegisterLeasesAttemptFieldEvent {
    field: '$.leases[].attempt'
    value: number
    index: number
  }

  export interface RegisterLeasesTokenFieldEvent {
    field: '$.leases[].token'
    value: string
    index: number
  }

  export interface RegisterVersionFieldEvent {
    field: '$.version'
    value: string
  }

  export interface RegisterTypesFieldEvent {
    field: '$.types[]'
    index: number
    value: string
  }

  export interface RegisterResourcesFieldEvent {
    field: '$.resources{}'
    key: string
    value: number
  }

  export interface RegisterBatchesFieldEvent {
    field: '$.batches'
    value: boolean
  }

  export function encode (obj: Partial<Register>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Register.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Register>): Register {
    return decodeMessage(buf, Register.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Register>): Generator<RegisterNameFieldEvent | RegisterSkillFieldEvent | RegisterCapabilitiesFieldEvent | RegisterMaxConcurrentFieldEvent | RegisterPriorityFieldEvent | RegisterLeasesTaskIdFieldEvent | RegisterLeasesAttemptFieldEvent | RegisterLeasesTokenFieldEvent | RegisterVersionFieldEvent | RegisterTypesFieldEvent | RegisterResourcesFieldEvent | RegisterBatchesFieldEvent> {
    return streamMessage(buf, Register.codec(), opts)
  }
}

export interface RegisterAck {
  network: string
  leaseTtlMs: number
  heartbeatMs: number
  error: string
  errorName: string
  retryAfterMs: number
  answersProbes?: boolean
  batches?: boolean
}

export namespace RegisterAck {
  let _codec: Codec<RegisterAck>

  export const codec = (): Codec<RegisterAck> => {
    if (_codec == null) {
      _codec = message<RegisterAck>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.network != null && obj.network !== '')) {
          w.uint32(10)
          w.string(obj.network)
        }

        if ((obj.leaseTtlMs != null && obj.leaseTtlMs !== 0)) {
          w.uint32(16)
          w.uint32(obj.leaseTtlMs)
        }

        if ((obj.heartbeatMs != null && obj.heartbeatMs !== 0)) {
          w.uint32(24)
          w.uint32(obj.heartbeatMs)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(34)
          w.string(obj.error)
        }

        if ((obj.errorName != null && obj.errorName !== '')) {
          w.uint32(42)
          w.string(obj.errorName)
        }

        if ((obj.retryAfterMs != null && obj.retryAfterMs !== 0)) {
          w.uint32(48)
          w.uint32(obj.retryAfterMs)
        }

        if (obj.answersProbes != null) {
          w.uint32(56)
          w.bool(obj.answersProbes)
        }

        if (obj.batches != null) {
          w.uint32(64)
          w.bool(obj.batches)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          network: '',
          leaseTtlMs: 0,
          heartbeatMs: 0,
          error: '',
          errorName: '',
          retryAfterMs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.network = reader.string()
              break
            }
            case 2: {
              obj.leaseTtlMs = reader.uint32()
              break
            }
            case 3: {
              obj.heartbeatMs = reader.uint32()
              break
            }
            case 4: {
              obj.error = reader.string()
              break
            }
            case 5: {
              obj.errorName = reader.string()
              break
            }
            case 6: {
              obj.retryAfterMs = reader.uint32()
              break
            }
            case 7: {
              obj.answersProbes = reader.bool()
              break
            }
            case 8: {
              obj.batches = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.network`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.leaseTtlMs`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.heartbeatMs`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.errorName`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.retryAfterMs`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.answersProbes`,
                value: reader.bool()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.batches`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RegisterAckNetworkFieldEvent {
    field: '$.network'
    value: string
  }

  export interface RegisterAckLeaseTtlMsFieldEvent {
    field: '$.leaseTtlMs'
    value: number
  }

  export interface RegisterAckHeartbeatMsFieldEvent {
    field: '$.heartbeatMs'
    value: number
  }

  export interface RegisterAckErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface RegisterAckErrorNameFieldEvent {
    field: '$.errorName'
    value: string
  }

  export interface RegisterAckRetryAfterMsFieldEvent {
    field: '$.retryAfterMs'
    value: number
  }

  export interface RegisterAckAnswersProbesFieldEvent {
    field: '$.answersProbes'
    value: boolean
  }

  export interface RegisterAckBatchesFieldEvent {
    field: '$.batches'
    value: boolean
  }

  export function encode (obj: Partial<RegisterAck>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RegisterAck.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RegisterAck>): RegisterAck {
    return decodeMessage(buf, RegisterAck.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RegisterAck>): Generator<RegisterAckNetworkFieldEvent | RegisterAckLeaseTtlMsFieldEvent | RegisterAckHeartbeatMsFieldEvent | RegisterAckErrorFieldEvent | RegisterAckErrorNameFieldEvent | RegisterAckRetryAfterMsFieldEvent | RegisterAckAnswersProbesFieldEvent | RegisterAckBatchesFieldEvent> {
    return streamMessage(buf, RegisterAck.codec(), opts)
  }
}

export interface TaskAssignment {
  taskId: string
  attempt: number
  token: string
  description: string
  type: string
  difficulty: number
  payload: Uint8Array<ArrayBuffer>
  inputs: Uint8Array<ArrayBuffer>
  timeoutMs: number
  traceparent: string
}

export namespace TaskAssignment {
  let _codec: Codec<TaskAssignment>

  export const codec = (): Codec<TaskAssignment> => {
    if (_codec == null) {
      _codec = message<TaskAssignment>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(10)
          w.string(obj.taskId)
        }

        if ((obj.attempt != null && obj.attempt !== 0)) {
          w.uint32(16)
          w.uint32(obj.attempt)
        }

        if ((obj.token != null && obj.token !== '')) {
          w.uint32(26)
          w.string(obj.token)
        }

        if ((obj.description != null && obj.description !== '')) {
          w.uint32(34)
          w.string(obj.description)
        }

        if ((obj.type != null && obj.type !== '')) {
          w.uint32(42)
          w.string(obj.type)
        }

        if ((obj.difficulty != null && obj.difficulty !== 0)) {
          w.uint32(49)
          w.double(obj.difficulty)
        }

        if ((obj.payload != null && obj.payload.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.payload)
        }

        if ((obj.inputs != null && obj.inputs.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.inputs)
        }

        if ((obj.timeoutMs != null && obj.timeoutMs !== 0)) {
          w.uint32(72)
          w.uint32(obj.timeoutMs)
        }

        if ((obj.traceparent != null && obj.traceparent !== '')) {
          w.uint32(82)
          w.string(obj.traceparent)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskId: '',
          attempt: 0,
          token: '',
          description: '',
          type: '',
          difficulty: 0,
          payload: uint8ArrayAlloc(0),
          inputs: uint8ArrayAlloc(0),
          timeoutMs: 0,
          traceparent: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.taskId = reader.string()
              break
            }
            case 2: {
              obj.attempt = reader.uint32()
              break
            }
            case 3: {
              obj.token = reader.string()
              break
            }
            case 4: {
              obj.description = reader.string()
              break
            }
            case 5: {
              obj.type = reader.string()
              break
            }
            case 6: {
              obj.difficulty = reader.double()
              break
            }
            case 7: {
              obj.payload = reader.bytes()
              break
            }
            case 8: {
              obj.inputs = reader.bytes()
              break
            }
            case 9: {
              obj.timeoutMs = reader.uint32()
              break
            }
            case 10: {
              obj.traceparent = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.attempt`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.token`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.description`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.type`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.difficulty`,
                value: reader.double()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.payload`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.inputs`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.timeoutMs`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.traceparent`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TaskAssignmentTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface TaskAssignmentAttemptFieldEvent {
    field: '$.attempt'
    value: number
  }

  export interface TaskAssignmentTokenFieldEvent {
    field: '$.token'
    value: string
  }

  export interface TaskAssignmentDescriptionFieldEvent {
    field: '$.description'
    value: string
  }

  export interface TaskAssignmentTypeFieldEvent {
    field: '$.type'
    value: string
  }

  export interface TaskAssignmentDifficultyFieldEvent {
    field: '$.difficulty'
    value: number
  }

  export interface TaskAssignmentPayloadFieldEvent {
    field: '$.payload'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TaskAssignmentInputsFieldEvent {
    field: '$.inputs'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TaskAssignmentTimeoutMsFieldEvent {
    field: '$.timeoutMs'
    value: number
  }

  export interface TaskAssignmentTraceparentFieldEvent {
    field: '$.traceparent'
    value: string
  }

  export function encode (obj: Partial<TaskAssignment>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskAssignment.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskAssignment>): TaskAssignment {
    return decodeMessage(buf, TaskAssignment.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskAssignment>): Generator<TaskAssignmentTaskIdFieldEvent | TaskAssignmentAttemptFieldEvent | TaskAssignmentTokenFieldEvent | TaskAssignmentDescriptionFieldEvent | TaskAssignmentTypeFieldEvent | TaskAssignmentDifficultyFieldEvent | TaskAssignmentPayloadFieldEvent | TaskAssignmentInputsFieldEvent | TaskAssignmentTimeoutMsFieldEvent | TaskAssignmentTraceparentFieldEvent> {
    return streamMessage(buf, TaskAssignment.codec(), opts)
  }
}

export interface TaskResult {
  taskId: string
  attempt: number
  token: string
  success: boolean
  output: Uint8Array<ArrayBuffer>
  error: string
  durationMs: number
  unrecoverable: boolean
}

export namespace TaskResult {
  let _codec: Codec<TaskResult>

  export const codec = (): Codec<TaskResult> => {
    if (_codec == null) {
      _codec = message<TaskResult>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(10)
          w.string(obj.taskId)
        }

        if ((obj.attempt != null && obj.attempt !== 0)) {
          w.uint32(16)
          w.uint32(obj.attempt)
        }

        if ((obj.token != null && obj.token !== '')) {
          w.uint32(26)
          w.string(obj.token)
        }

        if ((obj.success != null && obj.success !== false)) {
          w.uint32(32)
          w.bool(obj.success)
        }

        if ((obj.output != null && obj.output.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.output)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(50)
          w.string(obj.error)
        }

        if ((obj.durationMs != null && obj.durationMs !== 0)) {
          w.uint32(57)
          w.double(obj.durationMs)
        }

        if ((obj.unrecoverable != null && obj.unrecoverable !== false)) {
          w.uint32(64)
          w.bool(obj.unrecoverable)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskId: '',
          attempt: 0,
          token: '',
          success: false,
          output: uint8ArrayAlloc(0),
          error: '',
          durationMs: 0,
          unrecoverable: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.taskId = reader.string()
              break
            }
            case 2: {
              obj.attempt = reader.uint32()
              break
            }
            case 3: {
              obj.token = reader.string()
              break
            }
            case 4: {
              obj.success = reader.bool()
              break
            }
            case 5: {
              obj.output = reader.bytes()
              break
            }
            case 6: {
              obj.error = reader.string()
              break
            }
            case 7: {
              obj.durationMs = reader.double()
              break
            }
            case 8: {
              obj.unrecoverable = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.attempt`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.token`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.success`,
                value: reader.bool()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.output`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.durationMs`,
                value: reader.double()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.unrecoverable`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface TaskResultTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface TaskResultAttemptFieldEvent {
    field: '$.attempt'
    value: number
  }

  export interface TaskResultTokenFieldEvent {
    field: '$.token'
    value: string
  }

  export interface TaskResultSuccessFieldEvent {
    field: '$.success'
    value: boolean
  }

  export interface TaskResultOutputFieldEvent {
    field: '$.output'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TaskResultErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface TaskResultDurationMsFieldEvent {
    field: '$.durationMs'
    value: number
  }

  export interface TaskResultUnrecoverableFieldEvent {
    field: '$.unrecoverable'
    value: boolean
  }

  export function encode (obj: Partial<TaskResult>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskResult.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskResult>): TaskResult {
    return decodeMessage(buf, TaskResult.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskResult>): Generator<TaskResultTaskIdFieldEvent | TaskResultAttemptFieldEvent | TaskResultTokenFieldEvent | TaskResultSuccessFieldEvent | TaskResultOutputFieldEvent | TaskResultErrorFieldEvent | TaskResultDurationMsFieldEvent | TaskResultUnrecoverableFieldEvent> {
    return streamMessage(buf, TaskResult.codec(), opts)
  }
}

export interface Heartbeat {
  running: number
  cpu?: number
  memoryBytes?: number
  probe?: boolean
}

export namespace Heartbeat {
  let _codec: Codec<Heartbeat>

  export const codec = (): Codec<Heartbeat> => {
    if (_codec == null) {
      _codec = message<Heartbeat>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.running != null && obj.running !== 0)) {
          w.uint32(8)
          w.uint32(obj.running)
        }

        if (obj.cpu != null) {
          w.uint32(17)
          w.double(obj.cpu)
        }

        if (obj.memoryBytes != null) {
          w.uint32(24)
          w.uint64Number(obj.memoryBytes)
        }

        if (obj.probe != null) {
          w.uint32(32)
          w.bool(obj.probe)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          running: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.running = reader.uint32()
              break
            }
            case 2: {
              obj.cpu = reader.double()
              break
            }
            case 3: {
              obj.memoryBytes = reader.uint64Number()
              break
            }
            case 4: {
              obj.probe = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.running`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.cpu`,
                value: reader.double()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.memoryBytes`,
                value: reader.uint64Number()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.probe`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HeartbeatRunningFieldEvent {
    field: '$.running'
    value: number
  }

  export interface HeartbeatCpuFieldEvent {
    field: '$.cpu'
    value: number
  }

  export interface HeartbeatMemoryBytesFieldEvent {
    field: '$.memoryBytes'
    value: number
  }

  export interface HeartbeatProbeFieldEvent {
    field: '$.probe'
    value: boolean
  }

  export function encode (obj: Partial<Heartbeat>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Heartbeat.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Heartbeat>): Heartbeat {
    return decodeMessage(buf, Heartbeat.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Heartbeat>): Generator<HeartbeatRunningFieldEvent | HeartbeatCpuFieldEvent | HeartbeatMemoryBytesFieldEvent | HeartbeatProbeFieldEvent> {
    return streamMessage(buf, Heartbeat.codec(), opts)
  }
}

export interface Alive {}

export namespace Alive {
  let _codec: Codec<Alive>

  export const codec = (): Codec<Alive> => {
    if (_codec == null) {
      _codec = message<Alive>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export function encode (obj: Partial<Alive>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Alive.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Alive>): Alive {
    return decodeMessage(buf, Alive.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Alive>): Generator<{}> {
    return streamMessage(buf, Alive.codec(), opts)
  }
}

export interface AllDone {
  total: number
  succeeded: number
  failed: number
  skipped: number
  cancelled: number
}

export namespace AllDone {
  let _codec: Codec<AllDone>

  export const codec = (): Codec<AllDone> => {
    if (_codec == null) {
      _codec = message<AllDone>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.total != null && obj.total !== 0)) {
          w.uint32(8)
          w.uint32(obj.total)
        }

        if ((obj.succeeded != null && obj.succeeded !== 0)) {
          w.uint32(16)
          w.uint32(obj.succeeded)
        }

        if ((obj.failed != null && obj.failed !== 0)) {
          w.uint32(24)
          w.uint32(obj.failed)
        }

        if ((obj.skipped != null && obj.skipped !== 0)) {
          w.uint32(32)
          w.uint32(obj.skipped)
        }

        if ((obj.cancelled != null && obj.cancelled !== 0)) {
          w.uint32(40)
          w.uint32(obj.cancelled)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          total: 0,
          succeeded: 0,
          failed: 0,
          skipped: 0,
          cancelled: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.total = reader.uint32()
              break
            }
            case 2: {
              obj.succeeded = reader.uint32()
              break
            }
            case 3: {
              obj.failed = reader.uint32()
              break
            }
            case 4: {
              obj.skipped = reader.uint32()
              break
            }
            case 5: {
              obj.cancelled = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.total`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.succeeded`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.failed`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.skipped`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.cancelled`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface AllDoneTotalFieldEvent {
    field: '$.total'
    value: number
  }

  export interface AllDoneSucceededFieldEvent {
    field: '$.succeeded'
    value: number
  }

  export interface AllDoneFailedFieldEvent {
    field: '$.failed'
    value: number
  }

  export interface AllDoneSkippedFieldEvent {
    field: '$.skipped'
    value: number
  }

  export interface AllDoneCancelledFieldEvent {
    field: '$.cancelled'
    value: number
  }

  export function encode (obj: Partial<AllDone>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AllDone.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AllDone>): AllDone {
    return decodeMessage(buf, AllDone.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AllDone>): Generator<AllDoneTotalFieldEvent | AllDoneSucceededFieldEvent | AllDoneFailedFieldEvent | AllDoneSkippedFieldEvent | AllDoneCancelledFieldEvent> {
    return streamMessage(buf, AllDone.codec(), opts)
  }
}

export interface CancelAttempt {
  taskId: string
  attempt: number
  reason: string
}

export namespace CancelAttempt {
  let _codec: Codec<CancelAttempt>

  export const codec = (): Codec<CancelAttempt> => {
    if (_codec == null) {
      _codec = message<CancelAttempt>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(10)
          w.string(obj.taskId)
        }

        if ((obj.attempt != null && obj.attempt !== 0)) {
          w.uint32(16)
          w.uint32(obj.attempt)
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(26)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskId: '',
          attempt: 0,
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.taskId = reader.string()
              break
            }
            case 2: {
              obj.attempt = reader.uint32()
              break
            }
            case 3: {
              obj.reason = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.attempt`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CancelAttemptTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface CancelAttemptAttemptFieldEvent {
    field: '$.attempt'
    value: number
  }

  export interface CancelAttemptReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<CancelAttempt>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CancelAttempt.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CancelAttempt>): CancelAttempt {
    return decodeMessage(buf, CancelAttempt.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CancelAttempt>): Generator<CancelAttemptTaskIdFieldEvent | CancelAttemptAttemptFieldEvent | CancelAttemptReasonFieldEvent> {
    return streamMessage(buf, CancelAttempt.codec(), opts)
  }
}

export interface ResultAck {
  taskId: string
  attempt: number
  accepted: boolean
}

export namespace ResultAck {
  let _codec: Codec<ResultAck>

  export const codec = (): Codec<ResultAck> => {
    if (_codec == null) {
      _codec = message<ResultAck>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(10)
          w.string(obj.taskId)
        }

        if ((obj.attempt != null && obj.attempt !== 0)) {
          w.uint32(16)
          w.uint32(obj.attempt)
        }

        if ((obj.accepted != null && obj.accepted !== false)) {
          w.uint32(24)
          w.bool(obj.accepted)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskId: '',
          attempt: 0,
          accepted: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.taskId = reader.string()
              break
            }
            case 2: {
              obj.attempt = reader.uint32()
              break
            }
            case 3: {
              obj.accepted = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.attempt`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.accepted`,
                value: reader.bool()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ResultAckTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface ResultAckAttemptFieldEvent {
    field: '$.attempt'
    value: number
  }

  export interface ResultAckAcceptedFieldEvent {
    field: '$.accepted'
    value: boolean
  }

  export function encode (obj: Partial<ResultAck>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ResultAck.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResultAck>): ResultAck {
    return decodeMessage(buf, ResultAck.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResultAck>): Generator<ResultAckTaskIdFieldEvent | ResultAckAttemptFieldEvent | ResultAckAcceptedFieldEvent> {
    return streamMessage(buf, ResultAck.codec(), opts)
  }
}

export interface Drain {
  reason: string
}

export namespace Drain {
  let _codec: Codec<Drain>

  export const codec = (): Codec<Drain> => {
    if (_codec == null) {
      _codec = message<Drain>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.reason != null && obj.reason !== '')) {
          w.uint32(10)
          w.string(obj.reason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          reason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.reason = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.reason`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DrainReasonFieldEvent {
    field: '$.reason'
    value: string
  }

  export function encode (obj: Partial<Drain>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Drain.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Drain>): Drain {
    return decodeMessage(buf, Drain.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Drain>): Generator<DrainReasonFieldEvent> {
    return streamMessage(buf, Drain.codec(), opts)
  }
}

export interface Handlers {
  types: string[]
}

export namespace Handlers {
  let _codec: Codec<Handlers>

  export const codec = (): Codec<Handlers> => {
    if (_codec == null) {
      _codec = message<Handlers>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.types != null && obj.types.length > 0) {
          for (const value of obj.types) {
            w.uint32(10)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          types: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.types != null && obj.types.length === opts.limits.types) {
                throw new MaxLengthError('Decode error - repeated field "types" had too many elements')
              }

              if (obj.types.length === 1024) {
                throw new MaxLengthError('Decode error - repeated field "types" had too many elements')
              }

              obj.types.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          types: 1024
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.types != null && obj.types === opts.limits.types) {
                throw new MaxLengthError('Streaming decode error - repeated field "types" had too many elements')
              }

              if (obj.types === 1024) {
                throw new MaxLengthError('Streaming decode error - repeated field "types" had too many elements')
              }

              yield {
                field: `${prefix}.types[]`,
                index: obj.types,
                value: reader.string()
              }

              obj.types++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HandlersTypesFieldEvent {
    field: '$.types[]'
    index: number
    value: string
  }

  export function encode (obj: Partial<Handlers>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Handlers.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Handlers>): Handlers {
    return decodeMessage(buf, Handlers.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Handlers>): Generator<HandlersTypesFieldEvent> {
    return streamMessage(buf, Handlers.codec(), opts)
  }
}
