import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'

/** Why hosts in network namespaces cannot be made here, or undefined when they can. */
export function netnsUnavailable (): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces exist only on Linux'
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root'
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' })
  } catch {
    return 'the ip command (iproute2) is not installed'
  }
  return undefined
}

/**
 * A private LAN on this machine: one network namespace per host, each with an `eth0` on a bridge that
 * lives in a namespace of its own. Nothing is connected to the machine's real network, so test traffic
 * (mDNS included) never leaves it. `down()` removes everything, links included.
 */
export class Lan {
  readonly hosts: string[]
  private readonly prefix: string
  private readonly subnet: string

  /** Hosts left without a multicast route, as a machine whose network lacks one. */
  private readonly noMulticast: ReadonlySet<string>

  constructor (hosts: string[], options: { noMulticast?: string[] } = {}) {
    this.hosts = hosts
    this.noMulticast = new Set(options.noMulticast ?? [])
    const id = `${process.pid % 100000}${Math.floor(Math.random() * 1000)}`
    this.prefix = `tm${id}`
    this.subnet = `10.254.${process.pid % 250}`
  }

  private ns (host: string): string {
    return `${this.prefix}-${host}`
  }

  address (host: string): string {
    return `${this.subnet}.${this.hosts.indexOf(host) + 1}`
  }

  /** The LAN's addresses, in CIDR form. */
  get cidr (): string {
    return `${this.subnet}.0/24`
  }

  /** Unplugs `host` from the LAN: its packets go nowhere, and nothing tells its peers (no reset, no error). */
  cut (host: string): void {
    ip('-n', this.ns(host), 'link', 'set', 'eth0', 'down')
  }

  /** Plugs `host` back in (its address and routes come back with the link). */
  mend (host: string): void {
    ip('-n', this.ns(host), 'link', 'set', 'eth0', 'up')
    if (!this.noMulticast.has(host)) {
      try {
        ip('-n', this.ns(host), 'route', 'add', '224.0.0.0/4', 'dev', 'eth0')
      } catch {
        // still there
      }
    }
  }

  /**
   * Names only `host` resolves (its own /etc/hosts: `ip netns exec` puts /etc/netns/<namespace>/hosts in
   * place of the machine's). One name may be given several addresses.
   */
  names (host: string, entries: Array<[name: string, address: string]>): void {
    const dir = `/etc/netns/${this.ns(host)}`
    mkdirSync(dir, { recursive: true })
    writeFileSync(`${dir}/hosts`, ['127.0.0.1 localhost', ...entries.map(([name, address]) => `${address} ${name}`)].join('\n') + '\n')
  }

  /** The command prefix that runs a program on `host`. */
  exec (host: string): string[] {
    return ['ip', 'netns', 'exec', this.ns(host)]
  }

  up (): void {
    const lan = this.ns('lan')
    ip('netns', 'add', lan)
    ip('-n', lan, 'link', 'add', 'br0', 'type', 'bridge')
    ip('-n', lan, 'link', 'set', 'br0', 'up')
    this.hosts.forEach((host, i) => {
      const ns = this.ns(host)
      ip('netns', 'add', ns)
      ip('-n', ns, 'link', 'set', 'lo', 'up')
      ip('link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', `port${i}`, 'netns', lan)
      ip('-n', lan, 'link', 'set', `port${i}`, 'master', 'br0')
      ip('-n', lan, 'link', 'set', `port${i}`, 'up')
      ip('-n', ns, 'addr', 'add', `${this.address(host)}/24`, 'dev', 'eth0')
      ip('-n', ns, 'link', 'set', 'eth0', 'up')
      // multicast (mDNS) goes out on the LAN link
      if (!this.noMulticast.has(host)) ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0')
    })
  }

  down (): void {
    for (const ns of [...this.hosts.map(h => this.ns(h)), this.ns('lan')]) {
      rmSync(`/etc/netns/${ns}`, { recursive: true, force: true })
      try {
        ip('netns', 'del', ns)
      } catch {
        // already gone
      }
    }
  }
}

function ip (...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}
