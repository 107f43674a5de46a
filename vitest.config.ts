import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // integration tests start real libp2p nodes and processes; each waits for events with its own timeouts
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // most of an integration test is waiting for other processes: two files at once even on two cores
    // (vitest's default there is one), which takes the suite from 9.4 to 6 minutes on such a machine
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ['default']
  }
})
