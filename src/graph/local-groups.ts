/**
 * The local Graph server's group routes: GET /v1.0/groups?$filter=displayName eq '…' and
 * GET /v1.0/groups/{id}/transitiveMembers/microsoft.graph.user (users in the group directly or
 * through nested groups), both paged with @odata.nextLink; the cast needs Graph's advanced query
 * headers, as it does there. Also the group-change notifications Graph sends when a member is
 * added or removed: changeType "updated" on `Groups/{id}` to every subscription on that group.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { graphError, sendJson } from './local-http.js'
import type { LocalGroup, LocalSubscription, LocalUser } from './local-types.js'
import { transitiveGroups, type Directory } from './local-users.js'

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
  const m = /^\/v1\.0\/groups\/([^/]+)\/transitiveMembers\/microsoft\.graph\.user\/?$/.exec(url.pathname)
  if (m === null) return false
  const id = decodeURIComponent(m[1] ?? '')
  if (!dir.groups.has(id)) {
    sendJson(res, 404, graphError('Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`))
    return true
  }
  if (req.headers['consistencylevel'] !== 'eventual' || url.searchParams.get('$count') !== 'true') {
    sendJson(res, 400, graphError('Request_UnsupportedQuery', 'OData cast requires ConsistencyLevel: eventual and $count=true.'))
    return true
  }
  const members = [...dir.users.values()].filter((u) => transitiveGroups(dir, u).some((g) => g.id === id))
  sendJson(res, 200, page(url, members, dir.pageSize, (u: LocalUser) => ({ '@odata.type': '#microsoft.graph.user', id: u.id }),
    { '@odata.context': `${url.origin}/v1.0/$metadata#users(id)`, '@odata.count': members.length }))
  return true
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
