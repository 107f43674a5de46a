#!/usr/bin/env node
// Checked before anything else loads: on Node < 22, libp2p would fail with "Promise.withResolvers is not a
// function" and better-sqlite3 could crash, neither of which tells the user what to do.
var major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write('taskmesh needs Node.js 22 or newer; this is Node.js ' + process.versions.node + '.\n' +
    'Install Node 22 (https://nodejs.org, or: npm install --prefix ~/node22 node@22 and put ~/node22/node_modules/node/bin first in PATH).\n')
  process.exit(1)
}
import('../dist/cli/run.js')
