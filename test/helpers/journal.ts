import { join } from 'node:path'
import { JOURNAL_FILE, SqliteJournal } from '../../src/store/sqlite-journal.js'

/**
 * Per task, how many times the admin's journal in `dataDir` accepted a success (exactly once is right):
 * from the events of live tasks, and the attempts recorded with each archived one.
 */
export function acceptedSuccesses (dataDir: string): Map<string, number> {
  const journal = new SqliteJournal(join(dataDir, JOURNAL_FILE))
  const accepted = new Map<string, number>()
  try {
    for (const e of journal.load()) {
      if (e.type === 'attempt-ended' && e.outcome === 'succeeded') accepted.set(e.taskId, (accepted.get(e.taskId) ?? 0) + 1)
    }
    for (const task of journal.archive.list()) {
      accepted.set(task.id, (accepted.get(task.id) ?? 0) + task.attempts.filter(a => a.outcome === 'succeeded').length)
    }
  } finally {
    journal.close()
  }
  return accepted
}
