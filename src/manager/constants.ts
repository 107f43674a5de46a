/** Defaults of the task manager (the admin as a library puts it together), in one place. */

/** Where a task manager listens when told nothing: this machine only, on a free port. */
export const DEFAULT_LISTEN = ['/ip4/127.0.0.1/tcp/0']
