// Node.js 22.12 or newer (package.json's engines: commander, vitest and oxlint need 22.12), checked before
// anything else loads: on an older Node, libp2p fails with "Promise.withResolvers is not a function",
// better-sqlite3 may crash and vitest's reporter breaks, none of which tells the user what to do. Used by the CLI (bin/taskmesh.js) and by npm test, npm run simulate and npm run bench. Plain CommonJS, so
// that any Node can run it.
'use strict'
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write('taskmesh needs Node.js 22.12 or newer; this is Node.js ' + process.versions.node + '.\n' +
    'Install Node 22 (https://nodejs.org, or: npm install --prefix ~/node22 node@22 and put ~/node22/node_modules/node/bin first in PATH).\n')
  process.exit(1)
}
