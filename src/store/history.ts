import { join } from 'node:path'
import { archivedHistory, archivedSnapshot } from '../core/archive.js'
import { Scheduler } from '../core/scheduler.js'
import { JOURNAL_FILE, SqliteJournal } from './sqlite-journal.js'
import type { HistoryEntry, TaskSnapshot } from '../core/snapshots.js'
import type { Journal } from './journal.js'

/** What a journal holds of one task: the task as it stands, and its history. */
export interface TaskRecordView {
  task: TaskSnapshot
  history: HistoryEntry[]
}

/**
 * A task and its history read from a journal, with no admin running it: an archived task's are its one
 * record; a live one's come from replaying the journal's events into a scheduler of its own, as an admin
 * restarted on the journal would (no clock runs here: time stands still at the last event). An unknown id
 * is an UnknownTaskError.
 */
export function taskIn (journal: Journal, id: string): TaskRecordView {
  const archived = journal.archive.get(id)
  if (archived != null) return { task: archivedSnapshot(archived), history: archivedHistory(archived) }
  const scheduler = new Scheduler({ archive: journal.archive })
  const events = [...journal.load()]
  scheduler.restore(events, events.at(-1)?.at ?? 0)
  return { task: scheduler.view.getTask(id), history: scheduler.view.history(id) }
}

/** A task from a stopped admin's data directory; a JournalInUseError while its admin runs. */
export function taskInDataDir (dataDir: string, id: string): TaskRecordView {
  const journal = new SqliteJournal(join(dataDir, JOURNAL_FILE))
  try {
    return taskIn(journal, id)
  } finally {
    journal.close()
  }
}

/** A task from a PostgreSQL journal, its admin running or not (nothing is taken: read only). */
export async function taskInDatabase (url: string, id: string): Promise<TaskRecordView> {
  // node-postgres is loaded only when a database is asked
  const { PostgresJournal } = await import('./postgres-journal.js')
  const journal = await PostgresJournal.open(url, { readOnly: true })
  try {
    return taskIn(journal, id)
  } finally {
    await journal.close()
  }
}
