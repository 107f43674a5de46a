import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'

/**
 * A tool's result as JSON text (and structured content), or its error as a tool error the model can
 * read and act on, rather than a protocol failure.
 */
export async function answer (fn: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    const value = await fn()
    return {
      content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
      ...(value != null && typeof value === 'object' && !Array.isArray(value) ? { structuredContent: value as Record<string, unknown> } : {})
    }
  } catch (err) {
    const e = err as Error
    return { isError: true, content: [{ type: 'text', text: `${e.name}: ${e.message}` }] }
  }
}
