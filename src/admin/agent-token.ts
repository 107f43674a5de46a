import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { AuthorizationError } from '../errors.js'
import { MAX_VERIFIED_AGENT_TOKENS } from './constants.js'
import type { PrivateKey } from '@libp2p/interface'

/**
 * Proof of identity for an agent that pulls work over HTTP, where no libp2p handshake authenticates it:
 * `tma1.<agent peer id>.<signature>`, the signature made with the agent's own key (the one `taskmesh keygen`
 * writes, whose peer id goes on the admin's --allow-workers list) over the admin's peer id. It names one
 * admin (its replicas share the peer id), never expires, and is revoked by taking the peer id off the list.
 * Like any bearer token it must be kept secret.
 */
const VERSION = 'tma1'
const encoder = new TextEncoder()

function signed (adminPeerId: string, agentPeerId: string): Uint8Array {
  return encoder.encode(`taskmesh agent token 1\nadmin ${adminPeerId}\nagent ${agentPeerId}`)
}

/** A token for the agent holding `privateKey`, good on the admin with `adminPeerId`. */
export async function issueAgentToken (privateKey: PrivateKey, adminPeerId: string): Promise<string> {
  const agent = peerIdFromPrivateKey(privateKey).toString()
  const signature = await privateKey.sign(signed(adminPeerId, agent))
  return `${VERSION}.${agent}.${Buffer.from(signature).toString('base64url')}`
}

/** Checks agent tokens for one admin; remembers the ones it has verified (a signature check per claim is waste). */
export class AgentTokens {
  private readonly adminPeerId: string
  private readonly verified = new Map<string, string>()

  constructor (adminPeerId: string) {
    this.adminPeerId = adminPeerId
  }

  /** The agent's peer id, or an AuthorizationError saying what is wrong with the token. */
  async verify (token: string): Promise<string> {
    const known = this.verified.get(token)
    if (known != null) return known
    const [version, agent, signature, ...rest] = token.split('.')
    if (version !== VERSION || agent == null || signature == null || rest.length > 0) throw refused('it is not an agent token (tma1.<peer id>.<signature>)')
    let publicKey
    try {
      publicKey = peerIdFromString(agent).publicKey
    } catch {
      throw refused(`"${agent.slice(0, 60)}" is not a peer id`)
    }
    if (publicKey == null) throw refused('its peer id does not carry its public key: make the agent\'s key with taskmesh keygen (Ed25519)')
    if (!await publicKey.verify(signed(this.adminPeerId, agent), Buffer.from(signature, 'base64url'))) {
      throw refused(`its signature does not match: was it made for this admin (${this.adminPeerId}) with the agent's own key?`)
    }
    if (this.verified.size >= MAX_VERIFIED_AGENT_TOKENS) this.verified.delete(this.verified.keys().next().value!)
    this.verified.set(token, agent)
    return agent
  }
}

function refused (why: string): AuthorizationError {
  return new AuthorizationError(`the agent token is refused: ${why}; make one with taskmesh agent-token --key AGENT_KEY --admin ADMIN_ADDRESS`)
}
