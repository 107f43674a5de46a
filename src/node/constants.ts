/**
 * Defaults of the libp2p node every taskmesh peer runs.
 */

/** Connections of a hub (the admin): workers of one host, or behind one NAT, share an IP. */
export const HUB_INBOUND_CONNECTION_THRESHOLD = 1000
export const HUB_MAX_INCOMING_PENDING_CONNECTIONS = 256
export const HUB_MAX_CONNECTIONS = 2048
