import { describe, expect, it } from 'vitest'
import { parseRelayAddress } from '../../src/node/relay-keeper.js'
import { browserWorkerPolicy, configElementText, websocketOrigin } from '../../src/http/browser-worker.js'
import { isOwnPageOrigin } from '../../src/http/browser-safety.js'
import { bytes, httpUrl } from '../../src/cli/options.js'

const RELAY = '12D3KooWGzh5E5SrCodfqgKEDxQ9ZzkJY8Q1vHjqNrHyGZkcRoFX'

describe('relay addresses', () => {
  it('takes the address a relay printed, and says what is wrong with any other', () => {
    expect(parseRelayAddress(` /ip4/203.0.113.7/tcp/4003/p2p/${RELAY} `).relay).toBe(RELAY)
    expect(parseRelayAddress(`/dns4/relay.example.com/tcp/4003/p2p/${RELAY}`).address.toString()).toBe(`/dns4/relay.example.com/tcp/4003/p2p/${RELAY}`)
    expect(() => parseRelayAddress('/ip4/203.0.113.7/tcp/4003')).toThrow(/does not end in \/p2p\/<relay id>/)
    expect(() => parseRelayAddress(`/ip4/203.0.113.7/tcp/4003/p2p/${RELAY}/p2p-circuit`)).toThrow(/is itself relayed/)
    expect(() => parseRelayAddress('not an address')).toThrow(/is not a valid multiaddr/)
  })
})

describe('the browser worker page', () => {
  it('reads a WebSocket origin from each kind of address, and none from others', () => {
    expect(websocketOrigin(`/ip4/10.0.0.5/tcp/4002/ws/p2p/${RELAY}`)).toBe('ws://10.0.0.5:4002')
    expect(websocketOrigin(`/ip6/::1/tcp/4002/ws/p2p/${RELAY}`)).toBe('ws://[::1]:4002')
    expect(websocketOrigin(`/dns4/admin.example.com/tcp/443/wss/p2p/${RELAY}`)).toBe('wss://admin.example.com:443')
    expect(websocketOrigin(`/dns/admin.example.com/tcp/443/tls/ws/p2p/${RELAY}`)).toBe('wss://admin.example.com:443')
    expect(websocketOrigin(`/ip4/10.0.0.5/tcp/4001/p2p/${RELAY}`)).toBeUndefined()
  })

  it('lets the page run only its own script and the offered modules, and connect only to the admin and those', () => {
    const policy = browserWorkerPolicy({ admin: [`/ip4/10.0.0.5/tcp/4002/ws/p2p/${RELAY}`], handlers: ['https://cdn.example.com/team/handlers.js'], network: 'default' })
    expect(policy).toContain("default-src 'none'")
    // scripts from the module's folder only; connections to the admin's socket and the module's site, not the API
    expect(policy).toContain("script-src 'self' https://cdn.example.com/team/;")
    expect(policy).toContain("connect-src ws://10.0.0.5:4002 https://cdn.example.com;")
    const bare = browserWorkerPolicy({ admin: [], handlers: [], network: 'default' })
    expect(bare).toContain("script-src 'self';")
    expect(bare).toContain("connect-src 'none';")
  })

  it('writes its config into the page so that no text of it can end the element', () => {
    const text = configElementText({ admin: [], handlers: ['https://x.example/</script><script>alert(1)</script>.js'], network: 'n' })
    expect(text).not.toContain('<')
    expect(JSON.parse(text).handlers[0]).toBe('https://x.example/</script><script>alert(1)</script>.js')
  })
})

describe('the WebSocket door', () => {
  it('lets in a browser page only from the admin\'s own HTTP server', () => {
    const none = new Set<string>()
    expect(isOwnPageOrigin('http://127.0.0.1:8080', 'http://127.0.0.1:8080', none)).toBe(true)
    // the server listens on all interfaces: reached by another of its addresses
    expect(isOwnPageOrigin('http://192.168.1.20:8080', 'http://0.0.0.0:8080', none)).toBe(true)
    expect(isOwnPageOrigin('http://localhost:8080', 'http://127.0.0.1:8080', none)).toBe(true)
    expect(isOwnPageOrigin('https://evil.example', 'http://127.0.0.1:8080', none)).toBe(false)
    expect(isOwnPageOrigin('http://127.0.0.1:9999', 'http://127.0.0.1:8080', none)).toBe(false)
    expect(isOwnPageOrigin('https://127.0.0.1:8080', 'http://127.0.0.1:8080', none)).toBe(false)
    // a name rebound to the admin's address is not the admin's page, unless the operator named it
    expect(isOwnPageOrigin('http://rebound.example:8080', 'http://127.0.0.1:8080', none)).toBe(false)
    expect(isOwnPageOrigin('http://tasks.internal:8080', 'http://127.0.0.1:8080', new Set(['tasks.internal']))).toBe(true)
    expect(isOwnPageOrigin('null', 'http://127.0.0.1:8080', none)).toBe(false)
  })
})

describe('option values', () => {
  it('reads sizes with units, and refuses what is not one', () => {
    expect(bytes('48KiB')).toBe(48 * 1024)
    expect(bytes('1GB')).toBe(1e9)
    expect(bytes('500kb')).toBe(500_000)
    expect(bytes('1024')).toBe(1024)
    for (const bad of ['', '0', '-5MiB', 'lots', '1.5.2MB', '9e99GB']) expect(() => bytes(bad)).toThrow(/expected a size above 0/)
  })

  it('takes https module URLs, and http on this machine only', () => {
    expect(httpUrl('https://cdn.example.com/h.js', ['http://127.0.0.1:8000/x.js'])).toEqual(['http://127.0.0.1:8000/x.js', 'https://cdn.example.com/h.js'])
    expect(httpUrl('http://localhost:8000/h.js', [])).toEqual(['http://localhost:8000/h.js'])
    expect(() => httpUrl('http://cdn.example.com/h.js', [])).toThrow(/must come over https:/)
    expect(() => httpUrl('javascript:alert(1)', [])).toThrow(/http: or https:/)
    expect(() => httpUrl('/relative.js', [])).toThrow(/absolute URL/)
  })
})
