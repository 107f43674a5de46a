/**
 * Defaults of the libp2p node every taskmesh peer runs.
 */

/** Connections of a hub (the admin): workers of one host, or behind one NAT, share an IP. */
export const HUB_INBOUND_CONNECTION_THRESHOLD = 1000
export const HUB_MAX_INCOMING_PENDING_CONNECTIONS = 256
export const HUB_MAX_CONNECTIONS = 2048

/** A relay reservation (dialing the relay included) must complete within this. */
export const RELAY_RESERVATION_TIMEOUT_MS = 10_000
/** A relay that cannot be reached, or dropped this node, is tried again after this, doubling up to the maximum. */
export const RELAY_RETRY_INITIAL_MS = 1000
export const RELAY_RETRY_MAX_MS = 30_000

/**
 * A relay of a task network: admins behind NAT keep a slot on it, and each worker's first connection to
 * such an admin runs through it until hole punching moves it to a direct one (or for good, when it cannot).
 */
export const RELAY_MAX_RESERVATIONS = 64
/** Relayed connections one admin may have through the relay (workers reaching it): one stream each. */
export const RELAY_MAX_CIRCUITS_PER_PEER = 1024
/** How long a slot lasts before its holder renews it (libp2p renews it in time). */
export const RELAY_RESERVATION_TTL_MS = 2 * 60 * 60 * 1000
/** How often `taskmesh relay` looks who holds a slot, to say so. */
export const RELAY_SLOT_CHECK_MS = 1000
/** A relay's connection is pinged this often while it holds a slot: TCP connections idle for 2 minutes are closed. */
export const RELAY_KEEPALIVE_MS = 60_000
