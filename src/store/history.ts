import { join } from 'node:path'
import { archivedHistory } from '../core/archive.js'
import { Scheduler } from '../core/scheduler.js'
import { JOURNAL_FILE, SqliteJournal } from './sqlite-journal.js'
import type { HistoryEntry } from '../core/snapshots.js'
import type { Journal } from './journal.js'

/**
 * A task's history read from a journal, with no admin running it: an archived task's is its one record;
 * a live one's comes from replaying the journal's events into a scheduler of its own, as an admin
 * restarted on the journal would (no clock runs here: time stands still at the last event).
 */
export function historyIn (journal: Journal, id: string): HistoryEntry[] {
  const archived = journal.archive.get(id)
  if (archived != null) return archivedHistory(archived)
  const scheduler = new Scheduler({ archive: journal.archive })
  const events = [...journal.load()]
  scheduler.restore(events, events.at(-1)?.at ?? 0)
  return scheduler.view.history(id)
}

/** A task's history from a stopped admin's data directory; a JournalInUseError while its admin runs. */
export function historyInDataDir (dataDir: string, id: string): HistoryEntry[] {
  const journal = new SqliteJournal(join(dataDir, JOURNAL_FILE))
  try {
    return historyIn(journal, id)
  } finally {
    journal.close()
  }
}

/** A task's history from a PostgreSQL journal, its admin running or not (nothing is taken: read only). */
export async function historyInDatabase (url: string, id: string): Promise<HistoryEntry[]> {
  // node-postgres is loaded only when a database is asked
  const { PostgresJournal } = await import('./postgres-journal.js')
  const journal = await PostgresJournal.open(url, { readOnly: true })
  try {
    return historyIn(journal, id)
  } finally {
    await journal.close()
  }
}
