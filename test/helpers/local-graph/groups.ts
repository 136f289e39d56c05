/**
 * The local Graph server's group routes: GET /v1.0/groups?$filter=displayName eq '…' and
 * GET /v1.0/groups/{id}/transitiveMembers (users and nested groups in the group, directly or
 * through nested groups, each with its @odata.type), both paged with @odata.nextLink. Also the group-change notifications Graph sends when a member is
 * added or removed: changeType "updated" on `Groups/{id}` to every subscription on that group.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { graphError, sendJson } from './http.js'
import type { LocalGroup, LocalSubscription } from './types.js'
import { transitiveGroups, type Directory } from './users.js'

function page<T> (url: URL, all: T[], pageSize: number, row: (v: T) => Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const top = Math.min(Number(url.searchParams.get('$top') ?? '100') || 100, 999, pageSize)
  const skip = Number(Buffer.from(url.searchParams.get('$skiptoken') ?? '', 'base64url').toString() || '0')
  const body: Record<string, unknown> = { ...extra, value: all.slice(skip, skip + top).map(row) }
  if (skip + top < all.length) {
    const next = new URL(url.href)
    next.searchParams.set('$skiptoken', Buffer.from(String(skip + top)).toString('base64url'))
    body['@odata.nextLink'] = next.href
  }
  return body
}

export function routeGroups (dir: Directory, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  if (req.method !== 'GET') return false
  if (url.pathname === '/v1.0/groups') {
    const m = /^displayName eq '((?:[^']|'')*)'$/.exec(url.searchParams.get('$filter') ?? '')
    if (m === null) { sendJson(res, 400, graphError('Request_UnsupportedQuery', 'Unsupported or invalid query filter clause specified.')); return true }
    const name = (m[1] ?? '').replaceAll("''", "'")
    const found = [...dir.groups.values()].filter((g) => g.displayName === name)
    sendJson(res, 200, page(url, found, dir.pageSize, (g: LocalGroup) => ({ id: g.id, displayName: g.displayName }), { '@odata.context': `${url.origin}/v1.0/$metadata#groups(id,displayName)` }))
    return true
  }
  const m = /^\/v1\.0\/groups\/([^/]+)\/transitiveMembers\/?$/.exec(url.pathname)
  if (m === null) return false
  const id = decodeURIComponent(m[1] ?? '')
  if (!dir.groups.has(id)) {
    sendJson(res, 404, graphError('Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`))
    return true
  }
  const users = [...dir.users.values()].filter((u) => transitiveGroups(dir, u).some((g) => g.id === id))
    .map((u) => ({ '@odata.type': '#microsoft.graph.user', id: u.id }))
  const nested = [...dir.groups.values()].filter((g) => g.id !== id && nestedIn(dir, g, id))
    .map((g) => ({ '@odata.type': '#microsoft.graph.group', id: g.id }))
  sendJson(res, 200, page(url, [...nested, ...users], dir.pageSize, (r) => r, { '@odata.context': `${url.origin}/v1.0/$metadata#directoryObjects(id)` }))
  return true
}

/** Whether group `g` sits inside group `target`, at any depth. */
function nestedIn (dir: Directory, g: LocalGroup, target: string, seen = new Set<string>()): boolean {
  for (const parent of g.memberOf ?? []) {
    if (parent === target) return true
    const p = dir.groups.get(parent)
    if (p !== undefined && !seen.has(parent)) { seen.add(parent); if (nestedIn(dir, p, target, seen)) return true }
  }
  return false
}

const GROUP_RESOURCE = /^\/?groups\/([^/?]+)$/i

/** The items Graph sends for a change to a group's members: one per live subscription on it. */
export function groupChangeItems (subs: Iterable<LocalSubscription>, groupId: string, tenantId: string): Array<{ notificationUrl: string, item: Record<string, unknown> }> {
  const out: Array<{ notificationUrl: string, item: Record<string, unknown> }> = []
  for (const s of subs) {
    const target = GROUP_RESOURCE.exec(s.resource)?.[1]
    if (target === undefined || decodeURIComponent(target) !== groupId || !s.changeType.split(',').includes('updated')) continue
    if (Date.parse(s.expirationDateTime) <= Date.now()) continue
    // A basic notification: no members@delta, so the receiver cannot know who changed.
    out.push({
      notificationUrl: s.notificationUrl,
      item: {
        subscriptionId: s.id,
        subscriptionExpirationDateTime: s.expirationDateTime,
        changeType: 'updated',
        resource: `Groups/${groupId}`,
        resourceData: { '@odata.type': '#Microsoft.Graph.Group', '@odata.id': `Groups/${groupId}`, id: groupId, organizationId: tenantId },
        clientState: s.clientState,
        tenantId
      }
    })
  }
  return out
}
