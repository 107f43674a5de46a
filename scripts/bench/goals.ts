/**
 * The figures the bench has goals for, each with its goal beside it: collected as the parts run, printed
 * as one table at the end of the run (and as `goal` JSON lines with --json).
 */
export interface GoalRow {
  /** What is measured, as the table names it. */
  what: string
  /** This run's figure, as people read it. */
  figure: string
  goal: string
  met: boolean
}

export class Goals {
  private readonly rows: GoalRow[] = []

  add (row: GoalRow): void {
    this.rows.push(row)
  }

  /** Prints the table, or says no part with goals ran. */
  report (print: (line: string) => void, emit: (event: string, fields: object) => void): void {
    if (this.rows.length === 0) return
    const width = (f: (r: GoalRow) => string, min: number): number => Math.max(min, ...this.rows.map(r => f(r).length))
    const w = [width(r => r.what, 4), width(r => r.figure, 6), width(r => r.goal, 4)] as const
    print('\nagainst the goals:')
    print(`  ${'what'.padEnd(w[0])}  ${'figure'.padEnd(w[1])}  ${'goal'.padEnd(w[2])}  met`)
    for (const r of this.rows) {
      print(`  ${r.what.padEnd(w[0])}  ${r.figure.padEnd(w[1])}  ${r.goal.padEnd(w[2])}  ${r.met ? 'yes' : 'no'}`)
      emit('goal', r)
    }
    const met = this.rows.filter(r => r.met).length
    print(`  ${met} of ${this.rows.length} met`)
  }
}

/** A number of tasks a second as the table shows it. */
export function perSecond (n: number): string {
  return `${Math.round(n).toLocaleString('en')}/s`
}

/** Where a part of the bench reports: lines for people, JSON lines for scripts, and the goals' table. */
export interface Report {
  print: (line: string) => void
  emit: (event: string, fields: object) => void
  /** ` (runs a–b)` for more than one run. */
  range: (xs: number[]) => string
  goals: Goals
}
