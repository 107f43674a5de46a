#!/usr/bin/env node
import { createRequire } from 'node:module'

// stops here with a clear message on Node older than 22.12, before anything that needs it loads
createRequire(import.meta.url)('../scripts/require-node.cjs')
import('../dist/cli/run.js')
