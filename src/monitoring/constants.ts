/** Defaults and limits of monitoring (alerts, metrics), in one place. */

/** Alert thresholds are checked this often when no interval is given; also the failure-rate window. */
export const DEFAULT_MONITORING_INTERVAL_MS = 60_000
/** A failure rate over fewer attempts than this says little, and does not fire. */
export const MIN_ATTEMPTS_FOR_FAILURE_RATE = 5
