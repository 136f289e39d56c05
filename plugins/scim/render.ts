/**
 * Stored SCIM resources as the wire shows them (RFC 7643 §3): schemas, id, the attributes, the
 * groups a user is in (read-only, computed here), members of a group, and `meta` with the resource
 * type, times, location and a weak version; and the ListResponse envelope (RFC 7644 §3.4.2).
 */
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, LIST_SCHEMA, USER_SCHEMA } from '../../src/scim/schema.js'
import type { Meta, StoredGroup, StoredUser } from '../../src/scim/store.js'

function meta (resourceType: 'User' | 'Group', m: Meta, location: string): Record<string, unknown> {
  return { resourceType, created: m.created, lastModified: m.lastModified, location, version: `W/"${m.version}"` }
}

export function userResource (user: StoredUser, groups: readonly StoredGroup[], base: string): Record<string, unknown> {
  const location = `${base}/Users/${user.id}`
  return {
    schemas: user.attrs[ENTERPRISE_SCHEMA] !== undefined ? [USER_SCHEMA, ENTERPRISE_SCHEMA] : [USER_SCHEMA],
    id: user.id,
    ...user.attrs,
    groups: groups.map((g) => ({ value: g.id, display: g.displayName, $ref: `${base}/Groups/${g.id}`, type: 'direct' })),
    meta: meta('User', user.meta, location)
  }
}

export function groupResource (group: StoredGroup, members: ReadonlyArray<{ id: string, display?: string }>, base: string): Record<string, unknown> {
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    displayName: group.displayName,
    ...(group.externalId !== undefined && { externalId: group.externalId }),
    members: members.map((m) => ({ value: m.id, $ref: `${base}/Users/${m.id}`, type: 'User', ...(m.display !== undefined && { display: m.display }) })),
    meta: meta('Group', group.meta, `${base}/Groups/${group.id}`)
  }
}

export function listResponse (resources: unknown[], total: number, startIndex: number): Record<string, unknown> {
  return { schemas: [LIST_SCHEMA], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources }
}

/** `startIndex` and `count` as RFC 7644 §3.4.2.4 reads them: below 1 is 1, negative count is 0. */
export function paging (query: { startIndex?: string, count?: string }, max: number): { startIndex: number, count: number } | { error: string } {
  const read = (v: string | undefined, dflt: number): number | undefined => {
    if (v === undefined || v === '') return dflt
    return /^-?\d{1,9}$/.test(v) ? Number(v) : undefined
  }
  const startIndex = read(query.startIndex, 1)
  const count = read(query.count, max)
  if (startIndex === undefined) return { error: 'startIndex must be an integer' }
  if (count === undefined) return { error: 'count must be an integer' }
  return { startIndex: Math.max(1, startIndex), count: Math.min(max, Math.max(0, count)) }
}
