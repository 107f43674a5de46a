import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ClientRequest {
  id: number
  method: string
  params: Uint8Array<ArrayBuffer>
}

export namespace ClientRequest {
  let _codec: Codec<ClientRequest>

  export const codec = (): Codec<ClientRequest> => {
    if (_codec == null) {
      _codec = message<ClientRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== 0)) {
          w.uint32(8)
          w.uint32(obj.id)
        }

        if ((obj.method != null && obj.method !== '')) {
          w.uint32(18)
          w.string(obj.method)
        }

        if ((obj.params != null && obj.params.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.params)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0,
          method: '',
          params: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.uint32()
              break
            }
            case 2: {
              obj.method = reader.string()
              break
            }
            case 3: {
              obj.params = reader.bytes()
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
                field: `${prefix}.id`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.method`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.params`,
                value: reader.bytes()
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

  export interface ClientRequestIdFieldEvent {
    field: '$.id'
    value: number
  }

  export interface ClientRequestMethodFieldEvent {
    field: '$.method'
    value: string
  }

  export interface ClientRequestParamsFieldEvent {
    field: '$.params'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ClientRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ClientRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ClientRequest>): ClientRequest {
    return decodeMessage(buf, ClientRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ClientRequest>): Generator<ClientRequestIdFieldEvent | ClientRequestMethodFieldEvent | ClientRequestParamsFieldEvent> {
    return streamMessage(buf, ClientRequest.codec(), opts)
  }
}

export interface ClientResponse {
  id: number
  ok: boolean
  result: Uint8Array<ArrayBuffer>
  error: string
  errorName: string
  more: boolean
}

export namespace ClientResponse {
  let _codec: Codec<ClientResponse>

  export const codec = (): Codec<ClientResponse> => {
    if (_codec == null) {
      _codec = message<ClientResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== 0)) {
          w.uint32(8)
          w.uint32(obj.id)
        }

        if ((obj.ok != null && obj.ok !== false)) {
          w.uint32(16)
          w.bool(obj.ok)
        }

        if ((obj.result != null && obj.result.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.result)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(34)
          w.string(obj.error)
        }

        if ((obj.errorName != null && obj.errorName !== '')) {
          w.uint32(42)
          w.string(obj.errorName)
        }

        if ((obj.more != null && obj.more !== false)) {
          w.uint32(48)
          w.bool(obj.more)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: 0,
          ok: false,
          result: uint8ArrayAlloc(0),
          error: '',
          errorName: '',
          more: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.uint32()
              break
            }
            case 2: {
              obj.ok = reader.bool()
              break
            }
            case 3: {
              obj.result = reader.bytes()
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
              obj.more = reader.bool()
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
                field: `${prefix}.id`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.ok`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.result`,
                value: reader.bytes()
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
                field: `${prefix}.more`,
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

  export interface ClientResponseIdFieldEvent {
    field: '$.id'
    value: number
  }

  export interface ClientResponseOkFieldEvent {
    field: '$.ok'
    value: boolean
  }

  export interface ClientResponseResultFieldEvent {
    field: '$.result'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ClientResponseErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface ClientResponseErrorNameFieldEvent {
    field: '$.errorName'
    value: string
  }

  export interface ClientResponseMoreFieldEvent {
    field: '$.more'
    value: boolean
  }

  export function encode (obj: Partial<ClientResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ClientResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ClientResponse>): ClientResponse {
    return decodeMessage(buf, ClientResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ClientResponse>): Generator<ClientResponseIdFieldEvent | ClientResponseOkFieldEvent | ClientResponseResultFieldEvent | ClientResponseErrorFieldEvent | ClientResponseErrorNameFieldEvent | ClientResponseMoreFieldEvent> {
    return streamMessage(buf, ClientResponse.codec(), opts)
  }
}
