import { disable, enable } from '@libp2p/logger'
import { afterEach, describe, expect, it } from 'vitest'
import { quietLogger } from '../../src/node/quiet-logger.js'
import type { Logger } from '@libp2p/interface'

/** The namespace of a logger libp2p built (a weald logger has one); undefined for a silent one of ours. */
const built = (log: Logger): string | undefined => (log as unknown as { namespace?: string }).namespace

describe('quietLogger', () => {
  afterEach(() => { disable() })

  it('hands out silent loggers, scopes included, for names DEBUG does not enable', () => {
    disable()
    const log = quietLogger().forComponent('libp2p:yamux')
    expect([log.enabled, built(log), built(log.newScope('stream:1'))]).toEqual([false, undefined, undefined])
    expect(() => { log('a %s', 'message'); log.error('an error'); log.trace('a trace') }).not.toThrow()
  })

  it("gives libp2p's own logger to a name DEBUG enables, and to a scope under an enabled pattern", () => {
    enable('taskmesh:admin,libp2p:yamux:stream:*')
    const components = quietLogger()
    expect(built(components.forComponent('taskmesh:admin'))).toBe('taskmesh:admin')
    expect(built(components.forComponent('taskmesh:worker'))).toBeUndefined()
    const muxer = components.forComponent('libp2p:yamux')
    expect(built(muxer)).toBeUndefined()
    expect(built(muxer.newScope('stream'))).toBe('libp2p:yamux:stream')
  })

  it('keeps errors of a name whose :error is enabled', () => {
    enable('taskmesh:worker:error')
    const log = quietLogger().forComponent('taskmesh:worker')
    expect([built(log), (log.error as unknown as { enabled: boolean }).enabled, log.enabled]).toEqual(['taskmesh:worker', true, false])
  })
})
