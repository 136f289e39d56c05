/**
 * Which items of a notification POST are ours: the clientState must match the current or the
 * previous GRAPH_CLIENT_STATE (constant time), and an item that names a tenant other than ours is
 * not ours either. Everything else is dropped and counted, never acted on.
 */
import { matchesAnySecret } from '../secret.js'
import { tenantOf, type GraphNotification } from './notifications.js'

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface Accepted<T> { accepted: T[], wrongState: number, wrongTenant: number }

export function acceptItems<T extends GraphNotification> (items: readonly T[], opts: { clientStates: readonly string[], tenantId: string }): Accepted<T> {
  // GRAPH_TENANT_ID may be a domain name (contoso.onmicrosoft.com); only a GUID can be compared.
  const ourTenant = GUID.test(opts.tenantId) ? opts.tenantId.toLowerCase() : undefined
  const out: Accepted<T> = { accepted: [], wrongState: 0, wrongTenant: 0 }
  // Graph repeats one clientState on every item: each distinct value is checked once per POST.
  const verdicts = new Map<string | undefined, boolean>()
  for (const item of items) {
    const presented = item.clientState ?? undefined
    let ok = verdicts.get(presented)
    if (ok === undefined) {
      ok = matchesAnySecret(presented, opts.clientStates)
      verdicts.set(presented, ok)
    }
    if (!ok) { out.wrongState++; continue }
    const tenant = tenantOf(item)
    if (ourTenant !== undefined && tenant !== undefined && tenant.toLowerCase() !== ourTenant) { out.wrongTenant++; continue }
    out.accepted.push(item)
  }
  return out
}
