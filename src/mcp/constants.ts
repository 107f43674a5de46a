/**
 * Limits of the MCP server, in one place.
 */

/**
 * Longest message read from stdin, in bytes: one JSON-RPC message is one line, its newline not counted. The
 * SDK's stdio transport holds a line whole until its newline and stops at 10 MiB
 * (`STDIO_DEFAULT_MAX_BUFFER_SIZE`); the same figure, counted on the way in, so that the refusal is ours to
 * report instead of looking like the client leaving.
 */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024
/** The server's version, as MCP clients are told it. */
export const DEFAULT_MCP_VERSION = '0.1.0'
/** Longest a `distribute_task` call may wait for its task, in seconds. */
export const DEFAULT_MAX_WAIT_SECONDS = 600
