import { execFileSync } from 'node:child_process'
import { netnsUnavailable } from './netns.js'

/** Why NAT between namespaces cannot be made here (namespaces, or iptables, missing), or undefined when it can. */
export function natUnavailable (): string | undefined {
  const netns = netnsUnavailable()
  if (netns != null) return netns
  try {
    execFileSync('iptables', ['-V'], { stdio: 'ignore' })
  } catch {
    return 'the iptables command is not installed (apt-get install iptables)'
  }
  return undefined
}

/**
 * An internet in miniature on this machine, in network namespaces: a "public" segment (a bridge) where
 * `publicHosts` live, and behind it private networks, each behind a router that masquerades (NAT) its
 * hosts' connections, as a home or office router does: they can dial out, nobody can dial in. The public
 * segment's addresses look public to libp2p (it dials only those for hole punching), yet nothing is
 * connected to the machine's real network: no packet leaves these namespaces. `down()` removes them all.
 */
export class Internet {
  private readonly prefix: string
  /** A public-looking /24, reachable only inside these namespaces. */
  private readonly wan: string
  private readonly hosts = new Map<string, string>()
  private readonly made: string[] = []

  /**
   * `symmetric`: private networks whose router gives each connection a random public port (iptables
   * `--random-fully`), as a symmetric NAT does: no hole can be punched through it whatever the transport.
   */
  constructor (readonly publicHosts: string[], readonly privateNetworks: Record<string, string[]>, private readonly options: { symmetric?: string[] } = {}) {
    this.prefix = `tn${process.pid % 100000}${Math.floor(Math.random() * 1000)}`
    this.wan = `44.${100 + (process.pid % 100)}.${Math.floor(Math.random() * 250)}`
  }

  private ns (name: string): string {
    return `${this.prefix}-${name}`
  }

  /** A host's address: its public one, or its private one behind its router. */
  address (host: string): string {
    const a = this.hosts.get(host)
    if (a == null) throw new Error(`no host ${host}`)
    return a
  }

  /** The public address of a private network's router: what its hosts look like from outside. */
  routerAddress (network: string): string {
    return this.address(`router-${network}`)
  }

  /** The command prefix that runs a program on `host`. */
  exec (host: string): string[] {
    return ['ip', 'netns', 'exec', this.ns(host)]
  }

  up (): void {
    const wan = this.ns('wan')
    this.add(wan)
    ip('-n', wan, 'link', 'add', 'br0', 'type', 'bridge')
    ip('-n', wan, 'link', 'set', 'br0', 'up')
    let next = 1
    const plug = (host: string): string => {
      const ns = this.ns(host)
      const address = `${this.wan}.${next}`
      ip('link', 'add', 'wan0', 'netns', ns, 'type', 'veth', 'peer', 'name', `w${next}`, 'netns', wan)
      ip('-n', wan, 'link', 'set', `w${next}`, 'master', 'br0')
      ip('-n', wan, 'link', 'set', `w${next}`, 'up')
      ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'wan0')
      ip('-n', ns, 'link', 'set', 'wan0', 'up')
      next++
      this.hosts.set(host, address)
      return address
    }
    for (const host of this.publicHosts) {
      this.add(this.ns(host))
      plug(host)
    }
    Object.entries(this.privateNetworks).forEach(([network, hosts], n) => {
      const router = `router-${network}`
      const rns = this.ns(router)
      this.add(rns)
      plug(router)
      const lan = `10.${10 + n}.0`
      ip('-n', rns, 'link', 'add', 'br0', 'type', 'bridge')
      ip('-n', rns, 'addr', 'add', `${lan}.1/24`, 'dev', 'br0')
      ip('-n', rns, 'link', 'set', 'br0', 'up')
      execFileSync('ip', ['netns', 'exec', rns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'])
      // the router's own public address for everything its hosts send out: a NAT
      execFileSync('ip', ['netns', 'exec', rns, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'wan0', '-j', 'MASQUERADE', ...(this.options.symmetric?.includes(network) === true ? ['--random-fully'] : [])])
      hosts.forEach((host, i) => {
        const ns = this.ns(host)
        this.add(ns)
        const address = `${lan}.${i + 2}`
        ip('link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', `h${i}`, 'netns', rns)
        ip('-n', rns, 'link', 'set', `h${i}`, 'master', 'br0')
        ip('-n', rns, 'link', 'set', `h${i}`, 'up')
        ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0')
        ip('-n', ns, 'link', 'set', 'eth0', 'up')
        ip('-n', ns, 'route', 'add', 'default', 'via', `${lan}.1`)
        this.hosts.set(host, address)
      })
    })
  }

  down (): void {
    for (const ns of this.made.splice(0).reverse()) {
      try {
        ip('netns', 'del', ns)
      } catch {
        // already gone
      }
    }
  }

  private add (ns: string): void {
    ip('netns', 'add', ns)
    this.made.push(ns)
    ip('-n', ns, 'link', 'set', 'lo', 'up')
  }
}

function ip (...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}
