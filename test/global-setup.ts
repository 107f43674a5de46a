import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * One temporary directory per test run: every `os.tmpdir()` of the tests, and of the processes they start,
 * is inside it (through TMPDIR), and it is removed when the run ends, so key files, task files, journals
 * and database clusters do not pile up in /tmp.
 */
export default async function setup (): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'taskmesh-test-'))
  // PostgreSQL's clusters live inside and run as an unprivileged user, which must reach them
  await chmod(dir, 0o711)
  process.env.TMPDIR = dir
  return async () => { await rm(dir, { recursive: true, force: true }) }
}
