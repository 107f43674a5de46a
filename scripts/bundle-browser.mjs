// Bundles the browser worker (src/browser/worker-page.ts: libp2p over WebSockets and the worker service)
// into dist/browser/worker.js, which the admin's HTTP server serves at /worker.js. Run by `npm run build`.
// The few node: modules the worker reaches are replaced by the small shims in src/browser/shims/.
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const shim = name => `${root}src/browser/shims/${name}.ts`

await build({
  entryPoints: [`${root}src/browser/worker-page.ts`],
  outfile: `${root}dist/browser/worker.js`,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
  alias: {
    'node:timers/promises': shim('timers-promises'),
    'node:os': shim('os'),
    'node:dgram': shim('dgram')
  },
  inject: [shim('globals')],
  define: { 'process.env.NODE_ENV': '"production"' }
})
