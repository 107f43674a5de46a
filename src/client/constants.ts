/** Defaults and limits of the client of a running admin, in one place. */

/** How long a request to the admin may take. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
/** How long closing the stream to the admin may take before it is dropped. */
export const CLOSE_TIMEOUT_MS = 2_000
/** Room kept in a request for its id and method beside its parameters. */
export const REQUEST_OVERHEAD_BYTES = 1024
