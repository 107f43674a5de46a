import { streamPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { readFrames } from '../../src/protocol/frame-reader.js'
import { FrameWriter } from '../../src/protocol/frame-writer.js'
import { Frame } from '../../src/protocol/pb/tasks.js'
import type { Stream } from '@libp2p/interface'

const heartbeat = (running: number): Frame => ({ heartbeat: { running } })

/** Collects the frames a stream receives; `until(n)` resolves once n have arrived. */
function receiver (stream: Stream): { frames: Frame[], until(n: number): Promise<void> } {
  const frames: Frame[] = []
  let waiting: { n: number, resolve(): void } | undefined
  readFrames(stream, Frame, {
    maxFrameBytes: 1024 * 1024,
    onFrame: frame => {
      frames.push(frame)
      if (waiting != null && frames.length >= waiting.n) waiting.resolve()
    },
    onInvalid: err => { throw err }
  })
  return {
    frames,
    until: async n => {
      if (frames.length >= n) return
      await new Promise<void>(resolve => { waiting = { n, resolve } })
    }
  }
}

/** Counts the sends made on a stream. */
function countSends (stream: Stream): { count: number } {
  const counter = { count: 0 }
  const send = stream.send.bind(stream)
  stream.send = (data) => {
    counter.count++
    return send(data)
  }
  return counter
}

describe('the frame writer, on in-memory streams', () => {
  it('sends every frame written in one event-loop turn in a single send, in order', async () => {
    const [local, remote] = await streamPair()
    const sends = countSends(local)
    const writer = new FrameWriter(local, Frame, { maxBufferedBytes: 1024 * 1024 })
    const received = receiver(remote)
    for (let i = 0; i < 200; i++) writer.write(heartbeat(i))
    await received.until(200)
    expect(sends.count).toBe(1)
    expect(received.frames.map(f => f.heartbeat?.running)).toEqual(Array.from({ length: 200 }, (_, i) => i))
  })

  it('without autoFlush, holds frames until its owner flushes', async () => {
    const [local, remote] = await streamPair()
    const sends = countSends(local)
    const writer = new FrameWriter(local, Frame, { maxBufferedBytes: 1024 * 1024, autoFlush: false })
    const received = receiver(remote)
    writer.write(heartbeat(1))
    writer.write(heartbeat(2))
    // a later turn: an automatic flush would have happened by now
    await new Promise(resolve => setImmediate(resolve))
    expect(sends.count).toBe(0)
    expect(writer.bufferedBytes).toBeGreaterThan(0)
    writer.flush()
    await received.until(2)
    expect(sends.count).toBe(1)
  })

  it('honours back-pressure: what the stream cannot take waits for its drain, and arrives in order', async () => {
    const [local, remote] = await streamPair({ capacity: 1 })
    const writer = new FrameWriter(local, Frame, { maxBufferedBytes: 1024 * 1024, autoFlush: false })
    const received = receiver(remote)
    let refused = 0
    let blocked = false
    let sentWhileBlocked = 0
    local.addEventListener('drain', () => { blocked = false })
    const send = local.send.bind(local)
    local.send = (data) => {
      if (blocked) sentWhileBlocked++
      const accepted = send(data)
      if (!accepted) {
        refused++
        blocked = true
      }
      return accepted
    }
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 10; i++) writer.write(heartbeat(round * 10 + i))
      writer.flush()
    }
    await received.until(50)
    expect(refused).toBeGreaterThan(0)
    expect(sentWhileBlocked).toBe(0)
    expect(received.frames.map(f => f.heartbeat?.running)).toEqual(Array.from({ length: 50 }, (_, i) => i))
  })

  it('aborts the stream of a peer that stops reading, once more than the limit waits', async () => {
    const [local] = await streamPair()
    const writer = new FrameWriter(local, Frame, { maxBufferedBytes: 64, autoFlush: false })
    for (let i = 0; i < 20; i++) writer.write(heartbeat(i))
    expect(local.status).toBe('aborted')
    expect(writer.bufferedBytes).toBe(0)
  })

  it('writes nothing, and throws nothing, once its stream is closed', async () => {
    const [local] = await streamPair()
    const sends = countSends(local)
    const writer = new FrameWriter(local, Frame, { maxBufferedBytes: 1024 })
    await local.close()
    writer.write(heartbeat(1))
    writer.flush()
    expect(sends.count).toBe(0)
    expect(writer.bufferedBytes).toBe(0)
  })
})
