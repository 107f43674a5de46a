import type { PgLink } from './postgres-link.js'

/** Where a replica said its workers reach it (`taskmesh_replicas`). */
export interface ReplicaAddresses {
  replica: string
  addresses: string[]
}

/** Records where `replica` is reached; a replica started again under another name replaces its old row. */
export async function announce (link: PgLink, replica: string, addresses: string[]): Promise<void> {
  // a replica started again under another name (the default is host and process id) replaces its old row
  await link.query('DELETE FROM taskmesh_replicas WHERE replica <> $1 AND addresses = $2', [replica, JSON.stringify(addresses)])
  await link.query('INSERT INTO taskmesh_replicas (replica, addresses, seen_at) VALUES ($1, $2, now()) ON CONFLICT (replica) DO UPDATE SET addresses = $2, seen_at = now()', [replica, JSON.stringify(addresses)])
}

export async function replicasIn (link: PgLink): Promise<ReplicaAddresses[]> {
  const rows = (await link.query<{ replica: string, addresses: string }>('SELECT replica, addresses FROM taskmesh_replicas ORDER BY replica')).rows
  return rows.map(r => ({ replica: r.replica, addresses: JSON.parse(r.addresses) as string[] }))
}
