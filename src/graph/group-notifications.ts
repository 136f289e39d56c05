/**
 * Which group a Graph change notification is about, for the subscriptions on mapped groups.
 * Graph sends a member added or removed as changeType "updated" on resource `Groups/{id}`
 * (resourceData `@odata.type` "#Microsoft.Graph.Group"); it may carry `members@delta`, but basic
 * notifications need not, so nothing relies on it: the group-change job lists the group instead.
 */
import type { GraphNotification } from './notifications.js'
import { isGroupId } from './groups-api.js'

const RESOURCE = /^\/?groups\/([^/?]+)$/i
const GROUP_TYPE = /^#?microsoft\.graph\.group$/i
const CHANGE_TYPES = new Set(['updated', 'deleted'])

/**
 * The Entra object id of the group an item is about, or undefined when the item is not about a
 * group (a user notification, a lifecycle event) or its id is not an id (a malformed
 * percent-escape is "no group", never an exception that would lose the rest of the batch).
 */
export function groupIdOf (n: GraphNotification): string | undefined {
  if (!CHANGE_TYPES.has((n.changeType ?? '').toLowerCase())) return undefined
  const raw = typeof n.resource === 'string' ? RESOURCE.exec(n.resource)?.[1] : undefined
  const typed = GROUP_TYPE.test(n.resourceData?.['@odata.type'] ?? '')
  if (raw === undefined && !typed) return undefined
  let fromResource: string | undefined
  try {
    fromResource = raw === undefined ? undefined : decodeURIComponent(raw)
  } catch {
    return undefined
  }
  const fromData = typed ? n.resourceData?.id ?? undefined : undefined
  // Both present and different: the item contradicts itself; act on neither.
  if (fromResource !== undefined && fromData !== undefined && fromResource !== fromData) return undefined
  const id = fromResource ?? fromData
  return id !== undefined && isGroupId(id) ? id : undefined
}
