import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { parseAdminAddresses } from '../../src/worker/admin-address.js'
import { AdminDialer, type AdminDialerComponents } from '../../src/worker/connection.js'
import type { Connection } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** A dialer over addresses of which only those in `up` answer; `tried` lists every port dialed, in order. */
async function replicas (ports: number[]): Promise<{ dialer: AdminDialer, up: Set<number>, tried: number[] }> {
  const peerId = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  const up = new Set<number>()
  const tried: number[] = []
  const components = {
    connectionManager: {
      openConnection: async (address: Multiaddr) => {
        const port = Number(address.toString().split('/')[4])
        tried.push(port)
        if (!up.has(port)) throw new Error(`connect ECONNREFUSED 127.0.0.1:${port}`)
        return { remoteAddr: address } as unknown as Connection
      }
    }
  } as unknown as AdminDialerComponents
  const dialer = new AdminDialer(components, parseAdminAddresses(ports.map(p => `/ip4/127.0.0.1/tcp/${p}/p2p/${peerId}`)), 1000)
  return { dialer, up, tried }
}

describe('a worker dialing the replicas of its admin', () => {
  it('tries each address in turn, starts with the one that answered last, and after a failure with the next', async () => {
    const { dialer, up, tried } = await replicas([1, 2, 3])
    up.add(3)
    await dialer.dial()
    expect(tried).toEqual([1, 2, 3])
    tried.length = 0
    await dialer.dial()
    expect(tried).toEqual([3])

    // none answers: the next round starts one further, not with the same (perhaps slow to fail) host
    up.clear()
    tried.length = 0
    await expect(dialer.dial()).rejects.toThrow(/ECONNREFUSED/)
    expect(tried).toEqual([3, 1, 2])
    up.add(2)
    tried.length = 0
    await dialer.dial()
    expect(tried).toEqual([1, 2])
  })

  it('after the one that answered last fails, keeps the one that answers', async () => {
    const { dialer, up, tried } = await replicas([1, 2])
    up.add(1)
    await dialer.dial()
    up.clear()
    up.add(2)
    tried.length = 0
    await dialer.dial()
    expect(tried).toEqual([1, 2])
    // 2 answered: it comes first now
    tried.length = 0
    await dialer.dial()
    expect(tried).toEqual([2])
  })
})
