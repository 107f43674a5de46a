/** Defaults and limits of the command line, in one place. */

/** How long `node --check` may take to find the line of a module's syntax error (`--handlers`, `--strategy`). */
export const SYNTAX_CHECK_TIMEOUT_MS = 10_000
/** Characters of an output shown in a table cell or a summary line; `taskmesh result` prints it whole. */
export const OUTPUT_PREVIEW_CHARS = 60
/** Where a table's long text column ("error or why it waits", a history's detail) wraps. */
export const REASON_WRAP = 60
