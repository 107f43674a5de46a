import { disable, enable } from '@libp2p/logger'
import { afterEach, describe, expect, it } from 'vitest'
import { quietLogger } from '../../src/node/quiet-logger.js'

describe('quietLogger', () => {
  afterEach(() => { disable() })

  it('hands out silent loggers, scopes included, for names DEBUG does not enable', () => {
    disable()
    const log = quietLogger().forComponent('libp2p:yamux')
    expect(log.enabled).toBe(false)
    expect(() => { log('a %s', 'message'); log.error('an error'); log.trace('a trace') }).not.toThrow()
    expect(log.newScope('stream:1').enabled).toBe(false)
  })

  it("gives libp2p's own logger to a name DEBUG enables, and to a scope under an enabled pattern", () => {
    enable('taskmesh:admin,libp2p:yamux:*')
    const components = quietLogger()
    expect(components.forComponent('taskmesh:admin').enabled).toBe(true)
    expect(components.forComponent('taskmesh:worker').enabled).toBe(false)
    const muxer = components.forComponent('libp2p:yamux')
    expect(muxer.enabled).toBe(false)
    expect(muxer.newScope('stream:1').enabled).toBe(true)
  })

  it('keeps errors of a name whose :error is enabled', () => {
    enable('taskmesh:worker:error')
    const log = quietLogger().forComponent('taskmesh:worker')
    expect((log.error as unknown as { enabled: boolean }).enabled).toBe(true)
    expect(log.enabled).toBe(false)
  })
})
