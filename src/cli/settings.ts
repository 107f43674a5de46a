import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { InvalidArgumentError, type Command, type Option } from 'commander'
import { ValidationError, type Problem } from '../core/errors.js'
import { COLLECTING, groupWeights, list, resourceList } from './options.js'
import { isRecord } from '../util/records.js'
import { didYouMean } from '../util/suggest.js'

/**
 * Where a command's settings come from, highest first: the command line, the environment
 * (`TASKMESH_<COMMAND>_<OPTION>`), the `--config` file's section for the command, the defaults. Every
 * option of the command can be set in all three places, under the same name.
 */
export interface SettingsSpec {
  /** The command's section in the config file (`task_manager` for the admin, as in the seed's shape). */
  section: string
  /** Prefix of the command's environment variables, such as `TASKMESH_ADMIN_`. */
  envPrefix: string
  /** Nested mappings of the section and the option prefix they stand for (`alert_thresholds` → `alert`). */
  nested?: Record<string, string>
  /** Options that must be given somewhere (commander's own check cannot see the file or our variables). */
  required?: string[]
  /** Options holding file paths; relative paths in the config file are relative to the file. */
  paths?: string[]
  /** Options holding a module name or a path (`--strategy`); resolved like paths when they start with `.`. */
  modules?: string[]
  /**
   * Repeatable options whose values hold commas (`--webhook task:failed,done=URL`): in the environment their
   * values are separated by spaces or newlines, not by commas.
   */
  spaceSeparated?: string[]
}

/** Top-level sections a config file may have. */
export const CONFIG_SECTIONS = ['task_manager', 'worker', 'mcp'] as const
export const CONFIG_ENV = 'TASKMESH_CONFIG'
/** Largest config file read. */
const MAX_CONFIG_BYTES = 1024 * 1024
/** Options that are not settings. */
const NOT_SETTINGS = new Set(['help', 'version', 'config'])

/** Adds `--config FILE` and the environment to `command`; applied before its action runs. */
export function withSettings (command: Command, spec: SettingsSpec): Command {
  command.option('--config <file>', `settings file (YAML); this command reads its "${spec.section}" section (or set ${CONFIG_ENV})`)
  command.addHelpText('after', `
Every option can also be set in the environment as ${spec.envPrefix}<OPTION> (${spec.envPrefix}${envName(settingOptions(command)[0]!)} ...)
or in the --config file's "${spec.section}" section with the option's name (snake_case or kebab-case).
The command line wins over the environment, which wins over the file.`)
  command.hook('preAction', async (cmd) => { await applySettings(cmd, spec) })
  return command
}

async function applySettings (command: Command, spec: SettingsSpec): Promise<void> {
  const options = settingOptions(command)
  const fromEnv = readEnvironment(command, options, spec)
  if (fromEnv.problems.length > 0) throw new ValidationError(fromEnv.problems, { subject: 'environment' })

  const file = command.getOptionValue('config') as string | undefined ?? nonEmpty(process.env[CONFIG_ENV])
  if (file != null) {
    const { section, problems } = await readSection(file, spec.section)
    problems.push(...applySection(command, options, spec, section, file))
    if (problems.length > 0) throw new ValidationError(problems, { file })
  }

  for (const name of spec.required ?? []) {
    const option = options.find(o => o.attributeName() === name)!
    if (command.getOptionValue(name) === undefined) {
      command.error(`error: required option '${option.flags}' not specified (give it on the command line, as ${spec.envPrefix}${envName(option)}, or as ${spec.section}.${fileName(option)} in a --config file)`, { code: 'commander.missingMandatoryOptionValue', exitCode: 2 })
    }
  }
}

/** Applies `TASKMESH_<COMMAND>_<OPTION>` variables to options not given on the command line. */
function readEnvironment (command: Command, options: Option[], spec: SettingsSpec): { problems: Problem[] } {
  const problems: Problem[] = []
  for (const option of options) {
    const variable = `${spec.envPrefix}${envName(option)}`
    const raw = process.env[variable]
    if (raw == null || command.getOptionValueSource(option.attributeName()) === 'cli') continue
    try {
      const value = option.isBoolean()
        ? envBoolean(raw)
        : isRepeatable(option) ? raw.split(spec.spaceSeparated?.includes(option.attributeName()) === true ? /\s+/ : ',').map(s => s.trim()).filter(s => s !== '').reduce<unknown>((acc, v) => parseOne(option, v, acc), []) : parseOne(option, raw, undefined)
      command.setOptionValueWithSource(option.attributeName(), value, 'env')
    } catch (err) {
      problems.push({ path: variable, message: `${(err as Error).message} (for ${option.flags})` })
    }
  }
  return { problems }
}

/** The command's section; problems elsewhere in the file (unknown sections) are returned with it. */
async function readSection (file: string, name: string): Promise<{ section: Record<string, unknown>, problems: Problem[] }> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new ValidationError([{ path: '', message: `cannot read the config file: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}` }], { file })
  }
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) throw new ValidationError([{ path: '', message: `the config file is larger than ${MAX_CONFIG_BYTES} bytes` }], { file })
  let doc: unknown
  // the YAML parser is loaded only when there is a config file to read
  const { parse: parseYaml } = await import('yaml')
  try {
    doc = parseYaml(text, { maxAliasCount: 100 })
  } catch (err) {
    throw new ValidationError([{ path: '', message: `not valid YAML: ${(err as Error).message.split('\n')[0]}` }], { file })
  }
  if (doc == null) return { section: {}, problems: [] }
  if (!isRecord(doc)) throw new ValidationError([{ path: '', message: `expected a mapping with sections ${CONFIG_SECTIONS.join(', ')}` }], { file })
  const problems: Problem[] = []
  for (const key of Object.keys(doc)) {
    if (!(CONFIG_SECTIONS as readonly string[]).includes(key)) problems.push({ path: key, message: `unknown section${didYouMean(key, CONFIG_SECTIONS)}; sections are ${CONFIG_SECTIONS.join(', ')}` })
  }
  const section = doc[name] ?? {}
  if (!isRecord(section)) throw new ValidationError([...problems, { path: name, message: 'expected a mapping of settings' }], { file })
  return { section, problems }
}

/** Sets every option of the section that neither the command line nor the environment gave. */
function applySection (command: Command, options: Option[], spec: SettingsSpec, section: Record<string, unknown>, file: string): Problem[] {
  const problems: Problem[] = []
  const byName = new Map(options.map(o => [fileName(o), o]))
  const entries: Array<{ path: string, key: string, value: unknown, prefix?: string }> = []
  for (const [rawKey, value] of Object.entries(section)) {
    const key = rawKey.replaceAll('-', '_')
    const prefix = spec.nested?.[key]
    if (prefix == null) {
      entries.push({ path: `${spec.section}.${rawKey}`, key, value })
      continue
    }
    if (!isRecord(value)) {
      problems.push({ path: `${spec.section}.${rawKey}`, message: 'expected a mapping' })
      continue
    }
    for (const [inner, v] of Object.entries(value)) entries.push({ path: `${spec.section}.${rawKey}.${inner}`, key: `${prefix}_${inner.replaceAll('-', '_')}`, value: v, prefix })
  }
  for (const { path, key, value, prefix } of entries) {
    const option = byName.get(key)
    if (option == null) {
      // inside a nested mapping, names are suggested as they are written there
      const known = prefix == null ? [...byName.keys()] : [...byName.keys()].filter(k => k.startsWith(`${prefix}_`)).map(k => k.slice(prefix.length + 1))
      problems.push({ path, message: `not a setting of "taskmesh ${command.name()}"${didYouMean(prefix == null ? key : key.slice(prefix.length + 1), known)}` })
      continue
    }
    const name = option.attributeName()
    const source = command.getOptionValueSource(name)
    if (source === 'cli' || source === 'env' || value == null) continue
    try {
      let parsed = fileValue(option, value)
      if (typeof parsed === 'string' && !isAbsolute(parsed) &&
        ((spec.paths ?? []).includes(name) || ((spec.modules ?? []).includes(name) && parsed.startsWith('.')))) {
        parsed = resolve(dirname(file), parsed)
      }
      command.setOptionValueWithSource(name, parsed, 'config')
    } catch (err) {
      problems.push({ path, message: (err as Error).message })
    }
  }
  return problems
}

/** A value from the file, through the same parser as on the command line. */
function fileValue (option: Option, value: unknown): unknown {
  if (option.isBoolean()) {
    if (typeof value !== 'boolean') throw new InvalidArgumentError('expected true or false')
    return value
  }
  if (Array.isArray(value)) {
    if (isRepeatable(option)) return value.reduce<unknown>((acc, v) => parseOne(option, scalar(v), acc), [])
    if (option.parseArg === list) return parseOne(option, value.map(scalar).join(','), undefined)
    throw new InvalidArgumentError('expected one value, not a list')
  }
  // resources: { cpu: 8, memory: 32GiB } as well as "cpu=8,memory=32GiB"; group weights likewise
  if (isRecord(value) && (option.parseArg === resourceList || option.parseArg === groupWeights)) return parseOne(option, Object.entries(value).map(([k, v]) => `${k}=${scalar(v)}`).join(','), undefined)
  const text = scalar(value)
  return isRepeatable(option) ? parseOne(option, text, []) : parseOne(option, text, undefined)
}

function scalar (value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  throw new InvalidArgumentError(`expected a ${typeof value === 'boolean' ? 'value, not true/false' : 'string or a number'}`)
}

function parseOne (option: Option, value: string, previous: unknown): unknown {
  const parse = option.parseArg as ((value: string, previous: unknown) => unknown) | undefined
  if (option.argChoices != null && !option.argChoices.includes(value)) throw new InvalidArgumentError(`expected one of ${option.argChoices.join(', ')}`)
  return parse != null ? parse(value, previous) : value
}

function envBoolean (raw: string): boolean {
  const v = raw.trim().toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(v)) return true
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false
  throw new InvalidArgumentError('expected true or false (or 1/0, yes/no)')
}

function isRepeatable (option: Option): boolean {
  return COLLECTING.has(option.parseArg) || option.variadic
}

function settingOptions (command: Command): Option[] {
  return command.options.filter(o => o.long != null && !NOT_SETTINGS.has(o.attributeName()))
}

/** `--max-workers` is `max_workers` in the file. */
function fileName (option: Option): string {
  return option.long!.replace(/^--/, '').replaceAll('-', '_')
}

/** `--max-workers` is `..._MAX_WORKERS` in the environment. */
function envName (option: Option): string {
  return fileName(option).toUpperCase()
}

function nonEmpty (value: string | undefined): string | undefined {
  return value != null && value !== '' ? value : undefined
}
