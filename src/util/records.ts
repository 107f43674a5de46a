/** A plain object (not null, not an array): what JSON and YAML call a mapping. */
export function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
