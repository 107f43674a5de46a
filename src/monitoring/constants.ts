/** Defaults and limits of monitoring (alerts, metrics), in one place. */

/** Alert thresholds are checked this often when no interval is given; also the failure-rate window. */
export const DEFAULT_MONITORING_INTERVAL_MS = 60_000
/** A failure rate over fewer attempts than this says little, and does not fire. */
export const MIN_ATTEMPTS_FOR_FAILURE_RATE = 5
/** The dashboard's charts: a point this often, kept for an hour. */
export const TIMELINE_STEP_MS = 1000
export const TIMELINE_POINTS = 3600
/** Durations a chart's step keeps for its percentiles; past this, a uniform sample of them. */
export const TIMELINE_STEP_SAMPLES = 10_000
