/**
 * Defaults of the libp2p node every taskmesh peer runs.
 */

/**
 * How often a worker pings the admin's connection (libp2p's connection monitor) to notice an admin that
 * vanished without closing it. The admin pings nobody: a worker that goes silent loses its leases after
 * one lease TTL, and a thousand workers' pings would be a thousand streams opened every interval.
 */
export const WORKER_PING_INTERVAL_MS = 30_000
/** Connections of a hub (the admin): workers of one host, or behind one NAT, share an IP. */
export const HUB_INBOUND_CONNECTION_THRESHOLD = 1000
export const HUB_MAX_INCOMING_PENDING_CONNECTIONS = 256
export const HUB_MAX_CONNECTIONS = 2048
