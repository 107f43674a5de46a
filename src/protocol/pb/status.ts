import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface StatusMessage {
  worker?: WorkerStatus
  admin?: AdminProgress
}

export namespace StatusMessage {
  let _codec: Codec<StatusMessage>

  export const codec = (): Codec<StatusMessage> => {
    if (_codec == null) {
      _codec = message<StatusMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.worker != null) {
          w.uint32(10)
          WorkerStatus.codec().encode(obj.worker, w)
        }

        if (obj.admin != null) {
          w.uint32(18)
          AdminProgress.codec().encode(obj.admin, w)
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
              obj.worker = WorkerStatus.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.worker
              })
              break
            }
            case 2: {
              obj.admin = AdminProgress.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.admin
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
              yield * WorkerStatus.codec().stream(reader, reader.uint32(), `${prefix}.worker`, {
                limits: opts.limits?.worker
              })

              break
            }
            case 2: {
              yield * AdminProgress.codec().stream(reader, reader.uint32(), `${prefix}.admin`, {
                limits: opts.limits?.admin
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

  export interface StatusMessageWorkerPeerIdFieldEvent {
    field: '$.worker.peerId'
    value: string
  }

  export interface StatusMessageWorkerNameFieldEvent {
    field: '$.worker.name'
    value: string
  }

  export interface StatusMessageWorkerStateFieldEvent {
    field: '$.worker.state'
    value: string
  }

  export interface StatusMessageWorkerRunningFieldEvent {
    field: '$.worker.running'
    value: number
  }

  export interface StatusMessageWorkerCapacityFieldEvent {
    field: '$.worker.capacity'
    value: number
  }

  export interface StatusMessageWorkerCompletedFieldEvent {
    field: '$.worker.completed'
    value: number
  }

  export interface StatusMessageWorkerFailedFieldEvent {
    field: '$.worker.failed'
    value: number
  }

  export interface StatusMessageWorkerSkillFieldEvent {
    field: '$.worker.skill'
    value: number
  }

  export interface StatusMessageWorkerCapabilitiesFieldEvent {
    field: '$.worker.capabilities[]'
    index: number
    value: string
  }

  export interface StatusMessageWorkerCpuFieldEvent {
    field: '$.worker.cpu'
    value: number
  }

  export interface StatusMessageWorkerMemoryBytesFieldEvent {
    field: '$.worker.memoryBytes'
    value: number
  }

  export interface StatusMessageWorkerTimestampFieldEvent {
    field: '$.worker.timestamp'
    value: number
  }

  export interface StatusMessageAdminPeerIdFieldEvent {
    field: '$.admin.peerId'
    value: string
  }

  export interface StatusMessageAdminTotalFieldEvent {
    field: '$.admin.total'
    value: number
  }

  export interface StatusMessageAdminWaitingFieldEvent {
    field: '$.admin.waiting'
    value: number
  }

  export interface StatusMessageAdminRunningFieldEvent {
    field: '$.admin.running'
    value: number
  }

  export interface StatusMessageAdminSucceededFieldEvent {
    field: '$.admin.succeeded'
    value: number
  }

  export interface StatusMessageAdminFailedFieldEvent {
    field: '$.admin.failed'
    value: number
  }

  export interface StatusMessageAdminSkippedFieldEvent {
    field: '$.admin.skipped'
    value: number
  }

  export interface StatusMessageAdminCancelledFieldEvent {
    field: '$.admin.cancelled'
    value: number
  }

  export interface StatusMessageAdminWorkersFieldEvent {
    field: '$.admin.workers'
    value: number
  }

  export interface StatusMessageAdminTimestampFieldEvent {
    field: '$.admin.timestamp'
    value: number
  }

  export function encode (obj: Partial<StatusMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, StatusMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StatusMessage>): StatusMessage {
    return decodeMessage(buf, StatusMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StatusMessage>): Generator<StatusMessageWorkerPeerIdFieldEvent | StatusMessageWorkerNameFieldEvent | StatusMessageWorkerStateFieldEvent | StatusMessageWorkerRunningFieldEvent | StatusMessageWorkerCapacityFieldEvent | StatusMessageWorkerCompletedFieldEvent | StatusMessageWorkerFailedFieldEvent | StatusMessageWorkerSkillFieldEvent | StatusMessageWorkerCapabilitiesFieldEvent | StatusMessageWorkerCpuFieldEvent | StatusMessageWorkerMemoryBytesFieldEvent | StatusMessageWorkerTimestampFieldEvent | StatusMessageAdminPeerIdFieldEvent | StatusMessageAdminTotalFieldEvent | StatusMessageAdminWaitingFieldEvent | StatusMessageAdminRunningFieldEvent | StatusMessageAdminSucceededFieldEvent | StatusMessageAdminFailedFieldEvent | StatusMessageAdminSkippedFieldEvent | StatusMessageAdminCancelledFieldEvent | StatusMessageAdminWorkersFieldEvent | StatusMessageAdminTimestampFieldEvent> {
    return streamMessage(buf, StatusMessage.codec(), opts)
  }
}

export interface WorkerStatus {
  peerId: string
  name: string
  state: string
  running: number
  capacity: number
  completed: number
  failed: number
  skill: number
  capabilities: string[]
  cpu: number
  memoryBytes: number
  timestamp: number
}

export namespace WorkerStatus {
  let _codec: Codec<WorkerStatus>

  export const codec = (): Codec<WorkerStatus> => {
    if (_codec == null) {
      _codec = message<WorkerStatus>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.state != null && obj.state !== '')) {
          w.uint32(26)
          w.string(obj.state)
        }

        if ((obj.running != null && obj.running !== 0)) {
          w.uint32(32)
          w.uint32(obj.running)
        }

        if ((obj.capacity != null && obj.capacity !== 0)) {
          w.uint32(40)
          w.uint32(obj.capacity)
        }

        if ((obj.completed != null && obj.completed !== 0)) {
          w.uint32(48)
          w.uint32(obj.completed)
        }

        if ((obj.failed != null && obj.failed !== 0)) {
          w.uint32(56)
          w.uint32(obj.failed)
        }

        if ((obj.skill != null && obj.skill !== 0)) {
          w.uint32(65)
          w.double(obj.skill)
        }

        if (obj.capabilities != null && obj.capabilities.length > 0) {
          for (const value of obj.capabilities) {
            w.uint32(74)
            w.string(value)
          }
        }

        if ((obj.cpu != null && obj.cpu !== 0)) {
          w.uint32(81)
          w.double(obj.cpu)
        }

        if ((obj.memoryBytes != null && obj.memoryBytes !== 0)) {
          w.uint32(88)
          w.uint64Number(obj.memoryBytes)
        }

        if ((obj.timestamp != null && obj.timestamp !== 0)) {
          w.uint32(96)
          w.uint64Number(obj.timestamp)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          name: '',
          state: '',
          running: 0,
          capacity: 0,
          completed: 0,
          failed: 0,
          skill: 0,
          capabilities: [],
          cpu: 0,
          memoryBytes: 0,
          timestamp: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.state = reader.string()
              break
            }
            case 4: {
              obj.running = reader.uint32()
              break
            }
            case 5: {
              obj.capacity = reader.uint32()
              break
            }
            case 6: {
              obj.completed = reader.uint32()
              break
            }
            case 7: {
              obj.failed = reader.uint32()
              break
            }
            case 8: {
              obj.skill = reader.double()
              break
            }
            case 9: {
              if (opts.limits?.capabilities != null && obj.capabilities.length === opts.limits.capabilities) {
                throw new MaxLengthError('Decode error - repeated field "capabilities" had too many elements')
              }

              if (obj.capabilities.length === 64) {
                throw new MaxLengthError('Decode error - repeated field "capabilities" had too many elements')
              }

              obj.capabilities.push(reader.string())
              break
            }
            case 10: {
              obj.cpu = reader.double()
              break
            }
            case 11: {
              obj.memoryBytes = reader.uint64Number()
              break
            }
            case 12: {
              obj.timestamp = reader.uint64Number()
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
          capabilities: 64
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.state`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.running`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.capacity`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.completed`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.failed`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.skill`,
                value: reader.double()
              }
              break
            }
            case 9: {
              if (opts.limits?.capabilities != null && obj.capabilities === opts.limits.capabilities) {
                throw new MaxLengthError('Streaming decode error - repeated field "capabilities" had too many elements')
              }

              if (obj.capabilities === 64) {
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
            case 10: {
              yield {
                field: `${prefix}.cpu`,
                value: reader.double()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.memoryBytes`,
                value: reader.uint64Number()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.timestamp`,
                value: reader.uint64Number()
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

  export interface WorkerStatusPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface WorkerStatusNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface WorkerStatusStateFieldEvent {
    field: '$.state'
    value: string
  }

  export interface WorkerStatusRunningFieldEvent {
    field: '$.running'
    value: number
  }

  export interface WorkerStatusCapacityFieldEvent {
    field: '$.capacity'
    value: number
  }

  export interface WorkerStatusCompletedFieldEvent {
    field: '$.completed'
    value: number
  }

  export interface WorkerStatusFailedFieldEvent {
    field: '$.failed'
    value: number
  }

  export interface WorkerStatusSkillFieldEvent {
    field: '$.skill'
    value: number
  }

  export interface WorkerStatusCapabilitiesFieldEvent {
    field: '$.capabilities[]'
    index: number
    value: string
  }

  export interface WorkerStatusCpuFieldEvent {
    field: '$.cpu'
    value: number
  }

  export interface WorkerStatusMemoryBytesFieldEvent {
    field: '$.memoryBytes'
    value: number
  }

  export interface WorkerStatusTimestampFieldEvent {
    field: '$.timestamp'
    value: number
  }

  export function encode (obj: Partial<WorkerStatus>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, WorkerStatus.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WorkerStatus>): WorkerStatus {
    return decodeMessage(buf, WorkerStatus.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<WorkerStatus>): Generator<WorkerStatusPeerIdFieldEvent | WorkerStatusNameFieldEvent | WorkerStatusStateFieldEvent | WorkerStatusRunningFieldEvent | WorkerStatusCapacityFieldEvent | WorkerStatusCompletedFieldEvent | WorkerStatusFailedFieldEvent | WorkerStatusSkillFieldEvent | WorkerStatusCapabilitiesFieldEvent | WorkerStatusCpuFieldEvent | WorkerStatusMemoryBytesFieldEvent | WorkerStatusTimestampFieldEvent> {
    return streamMessage(buf, WorkerStatus.codec(), opts)
  }
}

export interface AdminProgress {
  peerId: string
  total: number
  waiting: number
  running: number
  succeeded: number
  failed: number
  skipped: number
  cancelled: number
  workers: number
  timestamp: number
}

export namespace AdminProgress {
  let _codec: Codec<AdminProgress>

  export const codec = (): Codec<AdminProgress> => {
    if (_codec == null) {
      _codec = message<AdminProgress>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peerId != null && obj.peerId !== '')) {
          w.uint32(10)
          w.string(obj.peerId)
        }

        if ((obj.total != null && obj.total !== 0)) {
          w.uint32(16)
          w.uint32(obj.total)
        }

        if ((obj.waiting != null && obj.waiting !== 0)) {
          w.uint32(24)
          w.uint32(obj.waiting)
        }

        if ((obj.running != null && obj.running !== 0)) {
          w.uint32(32)
          w.uint32(obj.running)
        }

        if ((obj.succeeded != null && obj.succeeded !== 0)) {
          w.uint32(40)
          w.uint32(obj.succeeded)
        }

        if ((obj.failed != null && obj.failed !== 0)) {
          w.uint32(48)
          w.uint32(obj.failed)
        }

        if ((obj.skipped != null && obj.skipped !== 0)) {
          w.uint32(56)
          w.uint32(obj.skipped)
        }

        if ((obj.cancelled != null && obj.cancelled !== 0)) {
          w.uint32(64)
          w.uint32(obj.cancelled)
        }

        if ((obj.workers != null && obj.workers !== 0)) {
          w.uint32(72)
          w.uint32(obj.workers)
        }

        if ((obj.timestamp != null && obj.timestamp !== 0)) {
          w.uint32(80)
          w.uint64Number(obj.timestamp)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peerId: '',
          total: 0,
          waiting: 0,
          running: 0,
          succeeded: 0,
          failed: 0,
          skipped: 0,
          cancelled: 0,
          workers: 0,
          timestamp: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peerId = reader.string()
              break
            }
            case 2: {
              obj.total = reader.uint32()
              break
            }
            case 3: {
              obj.waiting = reader.uint32()
              break
            }
            case 4: {
              obj.running = reader.uint32()
              break
            }
            case 5: {
              obj.succeeded = reader.uint32()
              break
            }
            case 6: {
              obj.failed = reader.uint32()
              break
            }
            case 7: {
              obj.skipped = reader.uint32()
              break
            }
            case 8: {
              obj.cancelled = reader.uint32()
              break
            }
            case 9: {
              obj.workers = reader.uint32()
              break
            }
            case 10: {
              obj.timestamp = reader.uint64Number()
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
                field: `${prefix}.peerId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.total`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.waiting`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.running`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.succeeded`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.failed`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.skipped`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.cancelled`,
                value: reader.uint32()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.workers`,
                value: reader.uint32()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.timestamp`,
                value: reader.uint64Number()
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

  export interface AdminProgressPeerIdFieldEvent {
    field: '$.peerId'
    value: string
  }

  export interface AdminProgressTotalFieldEvent {
    field: '$.total'
    value: number
  }

  export interface AdminProgressWaitingFieldEvent {
    field: '$.waiting'
    value: number
  }

  export interface AdminProgressRunningFieldEvent {
    field: '$.running'
    value: number
  }

  export interface AdminProgressSucceededFieldEvent {
    field: '$.succeeded'
    value: number
  }

  export interface AdminProgressFailedFieldEvent {
    field: '$.failed'
    value: number
  }

  export interface AdminProgressSkippedFieldEvent {
    field: '$.skipped'
    value: number
  }

  export interface AdminProgressCancelledFieldEvent {
    field: '$.cancelled'
    value: number
  }

  export interface AdminProgressWorkersFieldEvent {
    field: '$.workers'
    value: number
  }

  export interface AdminProgressTimestampFieldEvent {
    field: '$.timestamp'
    value: number
  }

  export function encode (obj: Partial<AdminProgress>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, AdminProgress.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdminProgress>): AdminProgress {
    return decodeMessage(buf, AdminProgress.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AdminProgress>): Generator<AdminProgressPeerIdFieldEvent | AdminProgressTotalFieldEvent | AdminProgressWaitingFieldEvent | AdminProgressRunningFieldEvent | AdminProgressSucceededFieldEvent | AdminProgressFailedFieldEvent | AdminProgressSkippedFieldEvent | AdminProgressCancelledFieldEvent | AdminProgressWorkersFieldEvent | AdminProgressTimestampFieldEvent> {
    return streamMessage(buf, AdminProgress.codec(), opts)
  }
}
