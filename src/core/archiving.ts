import type { TaskArchive } from './archive.js'
import type { ArchivedTask } from './snapshots.js'
import type { TaskRecord } from './task-record.js'
import type { SeqIndex } from './seq-index.js'

/**
 * Which finished tasks leave memory for the archive, and when. A task that has succeeded, with no
 * unfinished task depending on it, is handed to the journal with the batch (`take`), and leaves memory once
 * the journal has it (`archived`); failed, cancelled and skipped tasks stay, where they may be retried.
 */
export class Archiving {
  readonly archive: TaskArchive
  /** Tasks that left memory for the archive. */
  count = 0
  private readonly tasks: Map<string, TaskRecord>
  private readonly bySeq: SeqIndex<TaskRecord>
  private candidates: TaskRecord[] = []
  /** While a journal is replayed: tasks with archived dependencies, and when the last of those finished. */
  private readonly readyAfter = new Map<TaskRecord, number>()

  constructor (archive: TaskArchive, tasks: Map<string, TaskRecord>, bySeq: SeqIndex<TaskRecord>) {
    this.archive = archive
    this.tasks = tasks
    this.bySeq = bySeq
  }

  /** A task finished, or one depending on it did: it may leave memory now. */
  consider (task: TaskRecord): void {
    if (task.state !== 'succeeded' || task.openDependents > 0 || task.archiving) return
    task.archiving = true
    this.candidates.push(task)
  }

  /** The tasks that may leave memory now, as the archive keeps them: the journal writes them with its batch. */
  take (): ArchivedTask[] {
    const candidates = this.candidates
    this.candidates = []
    return candidates.map(task => task.archived())
  }

  /** The journal has these in its archive: their records leave memory. */
  archived (tasks: readonly ArchivedTask[]): void {
    for (const { id } of tasks) {
      const task = this.tasks.get(id)
      if (task == null) continue
      this.tasks.delete(id)
      this.bySeq.delete(task.seq)
      this.count++
    }
  }

  /** Replayed, a task depending on an archived task became ready no earlier than that task finished. */
  replayedDependent (task: TaskRecord, dependency: string, at: number): void {
    const finishedAt = this.archive.get(dependency)?.finishedAt
    if (finishedAt != null && finishedAt > (this.readyAfter.get(task) ?? at)) this.readyAfter.set(task, finishedAt)
  }

  /** When a replayed task became ready, its archived dependencies considered. */
  replayedReadyAt (task: TaskRecord, at: number): number {
    const after = this.readyAfter.get(task)
    if (after == null) return at
    this.readyAfter.delete(task)
    return Math.max(at, after)
  }

  endReplay (): void {
    this.readyAfter.clear()
  }

  /** Before a journal is replayed: what its archive holds already counts. */
  open (): number {
    this.count = this.archive.size
    return this.archive.size
  }
}
