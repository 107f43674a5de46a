import { networkInterfaces } from 'node:os'
import { describe, expect, it } from 'vitest'
import { intendedAddresses } from '../../src/node/announce.js'

const PEER = '12D3KooWLRPJAA5o6Xw8GC4o5TrzHzPS6TTQNtQsHJA7UFVrEyGL'

describe('where a replica will be reached, before it listens', () => {
  it('keeps a given host, expands 0.0.0.0 to each of this machine\'s IPv4 addresses, and leaves out a port not chosen yet', () => {
    const ipv4 = Object.values(networkInterfaces()).flat().filter(i => i != null && !i.internal && i.family === 'IPv4').map(i => i!.address)
    expect(intendedAddresses(['/ip4/127.0.0.1/tcp/4001', '/ip4/0.0.0.0/tcp/4002', '/ip4/0.0.0.0/tcp/0', '/ip4/10.1.2.3/udp/4001/quic-v1', 'not an address'], PEER)).toEqual([
      `/ip4/127.0.0.1/tcp/4001/p2p/${PEER}`,
      ...ipv4.map(a => `/ip4/${a}/tcp/4002/p2p/${PEER}`)
    ])
  })
})
