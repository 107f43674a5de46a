// The attackers of the hostile bench, in a process of their own (run at the lowest priority, as if on
// another machine: the admin's own cost of handling them is what is measured, not their CPU on this one).
// Usage: attack.ts ADMIN_ADDRESS HONEST_NAME HTTP_BASE; runs until SIGTERM, then prints what it did as one JSON line.
import { churner, flood, hoarder, liar, pullAttackers } from '../../test/helpers/hostile.js'

const [address, honestName, http] = process.argv.slice(2) as [string, string, string]
const stop = new AbortController()
process.once('SIGTERM', () => { stop.abort() })
const hoard = await hoarder(address)
const flooding = await flood(address, { peers: 48, streamsPerPeer: 4 })
process.stdout.write('{"event":"attacking"}\n')
const [fresh, same, lies, pulled] = await Promise.all([
  churner(address, { rounds: 1_000_000, freshIds: true, signal: stop.signal }),
  churner(address, { rounds: 1_000_000, freshIds: false, signal: stop.signal }),
  liar(address, honestName),
  pullAttackers(http, stop.signal)
])
await hoard.stop()
await flooding.stop()
process.stdout.write(`${JSON.stringify({ event: 'done', hoarded: hoard.held(), churnedFresh: fresh.assigned, churnedSame: same.assigned, refusedSame: same.refused.length, lies: lies.length, floodStreams: flooding.opened, httpHoarded: pulled.hoarded, httpChurned: pulled.churned, httpNames: pulled.names })}\n`)
process.exit(0)
