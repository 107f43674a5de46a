import { readFile, stat } from 'node:fs/promises'
import { extname } from 'node:path'
import YAML from 'yaml'
import { ValidationError, type Problem } from '../errors.js'
import { MAX_FLOW_DEPTH, MAX_TASK_FILE_BYTES, MAX_YAML_ALIASES } from './constants.js'
import { closedBy, normalizeTasks, validated, type NormalizeOptions, type ValidTasks } from './normalize.js'
import type { ScheduleSpec } from '../core/schedules.js'

export type TaskFormat = 'json' | 'yaml'

/** Reads, parses and validates a task file. Throws a ValidationError listing every problem, naming the file. */
export async function loadTaskFile (file: string, options: NormalizeOptions = {}): Promise<ValidTasks> {
  return (await loadTaskDocument(file, options)).tasks
}

/** A task file's tasks and its recurring tasks (`schedules`), read, parsed and validated as `loadTaskFile` does. */
export async function loadTaskDocument (file: string, options: NormalizeOptions = {}): Promise<TaskDocument> {
  let size: number
  try {
    size = (await stat(file)).size
  } catch (err) {
    throw new ValidationError([{ path: '', message: `cannot read the task file: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}` }], { file })
  }
  if (size > MAX_TASK_FILE_BYTES) {
    throw new ValidationError([{ path: '', message: `task file is ${size} bytes, more than the ${MAX_TASK_FILE_BYTES}-byte limit; split it and submit the parts` }], { file })
  }
  const text = await readFile(file, 'utf8')
  const ext = extname(file).toLowerCase()
  const format: TaskFormat | undefined = ext === '.json' ? 'json' : ext === '.yaml' || ext === '.yml' ? 'yaml' : undefined
  return parseTaskText(text, { ...options, file, ...(format != null ? { format } : {}) })
}

export interface TaskDocument {
  tasks: ValidTasks
  schedules: ScheduleSpec[]
}

/** Parses task text (JSON, or YAML, which is also tried when no format is given) and validates it. */
export function parseTasks (text: string, options: NormalizeOptions & { file?: string, format?: TaskFormat } = {}): ValidTasks {
  return parseTaskText(text, options).tasks
}

function parseTaskText (text: string, options: NormalizeOptions & { file?: string, format?: TaskFormat }): TaskDocument {
  const where = options.file != null ? { file: options.file } : { subject: 'tasks' }
  const data = parseTaskDocument(text, options.format, where)
  const normalize = options.isKnown != null ? { isKnown: options.isKnown } : {}
  const { specs, problems, schedules } = normalizeTasks(data, normalize)
  if (problems.length > 0) throw new ValidationError(problems, where)
  return { tasks: validated(specs, closedBy(normalize)), schedules }
}

/**
 * Task text as plain data, not yet validated: JSON, or YAML (guarded against deep nesting and alias
 * bombs). Syntax errors name the line.
 */
export function parseTaskDocument (text: string, format: TaskFormat | undefined, where: { file?: string, subject?: string }): unknown {
  if (format === 'json' || (format == null && /^\s*[[{]/.test(text))) {
    try {
      return JSON.parse(text)
    } catch (err) {
      // without a .json extension, JSON-looking text may still be YAML (flow style)
      if (format === 'json') throw new ValidationError([{ path: '', message: `not valid JSON: ${(err as Error).message}` }], where)
    }
  }
  const deep = flowDepthProblem(text)
  if (deep != null) throw new ValidationError([deep], where)
  const doc = YAML.parseDocument(text, { prettyErrors: true })
  if (doc.errors.length > 0) {
    throw new ValidationError(doc.errors.map(e => ({ path: e.linePos != null ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '', message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') })), where)
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES })
  } catch (err) {
    throw new ValidationError([{ path: '', message: `cannot read the YAML: ${(err as Error).message}` }], where)
  }
}

/** Linear scan for `[`/`{` nesting deeper than the limit, outside quoted strings and comments. */
function flowDepthProblem (text: string): Problem | undefined {
  let depth = 0
  let line = 1
  let quote: '"' | "'" | undefined
  let comment = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\n') {
      line++
      comment = false
      continue
    }
    if (comment) continue
    if (quote != null) {
      if (c === '\\' && quote === '"') i++
      else if (c === quote) quote = undefined
      continue
    }
    if (c === '"' || c === "'") quote = c
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) comment = true
    else if (c === '[' || c === '{') {
      if (++depth > MAX_FLOW_DEPTH) return { path: `line ${line}`, message: `nested more than ${MAX_FLOW_DEPTH} levels deep; flatten the structure` }
    } else if ((c === ']' || c === '}') && depth > 0) depth--
  }
  return undefined
}
