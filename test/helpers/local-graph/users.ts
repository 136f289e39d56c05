/**
 * The local Graph server's directory routes: GET /v1.0/users (the list) and /v1.0/users/{id} (with $select), its manager
 * (404 when none) and its transitive group memberships cast to groups, paged with @odata.nextLink.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { graphError, sendJson } from './http.js'
import type { LocalGroup, LocalUser } from './types.js'

// What Graph returns for a user when the request has no $select.
const DEFAULT_PROPS = ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id']

export interface Directory {
  users: Map<string, LocalUser>
  groups: Map<string, LocalGroup>
  pageSize: number
}

export function project (u: LocalUser, select: string | null, origin: string): Record<string, unknown> {
  const props = select === null ? DEFAULT_PROPS : select.split(',').map((s) => s.trim()).filter((s) => s !== '')
  const out: Record<string, unknown> = { '@odata.context': `${origin}/v1.0/$metadata#users(${props.join(',')})/$entity` }
  // Graph sends null for a selected property the user has no value for.
  for (const p of props) out[p] = p === 'id' ? u.id : (u.props[p] ?? (p === 'businessPhones' ? [] : null))
  return out
}

export function transitiveGroups (dir: Directory, u: LocalUser): LocalGroup[] {
  const seen = new Set<string>()
  const queue = [...u.groups]
  while (queue.length > 0) {
    const id = queue.shift() as string
    if (seen.has(id)) continue
    seen.add(id)
    queue.push(...(dir.groups.get(id)?.memberOf ?? []))
  }
  return [...seen].map((id) => dir.groups.get(id)).filter((g): g is LocalGroup => g !== undefined)
}

export function routeUsers (dir: Directory, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  if (req.method === 'GET' && url.pathname.replace(/\/$/, '') === '/v1.0/users') {
    // The list, as a credential check reads it ($top, $select, paged by $skiptoken).
    const all = [...dir.users.values()]
    const top = Math.min(Number(url.searchParams.get('$top') ?? '100') || 100, 999, dir.pageSize)
    const skip = Number(Buffer.from(url.searchParams.get('$skiptoken') ?? '', 'base64url').toString() || '0')
    const body: Record<string, unknown> = {
      '@odata.context': `${url.origin}/v1.0/$metadata#users`,
      value: all.slice(skip, skip + top).map((u) => { const { '@odata.context': _c, ...row } = project(u, url.searchParams.get('$select'), url.origin); return row })
    }
    if (skip + top < all.length) {
      const next = new URL(url.href)
      next.searchParams.set('$skiptoken', Buffer.from(String(skip + top)).toString('base64url'))
      body['@odata.nextLink'] = next.href
    }
    sendJson(res, 200, body)
    return true
  }
  const m = /^\/v1\.0\/users\/([^/]+)(?:\/(manager|transitiveMemberOf\/microsoft\.graph\.group))?\/?$/.exec(url.pathname)
  if (m === null || req.method !== 'GET') return false
  const id = decodeURIComponent(m[1] ?? '')
  const user = dir.users.get(id)
  const notFound = (what: string): void => sendJson(res, 404, graphError('Request_ResourceNotFound',
    `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`))
  if (user === undefined) { notFound(id); return true }
  const select = url.searchParams.get('$select')
  if (m[2] === undefined) { sendJson(res, 200, project(user, select, url.origin)); return true }
  if (m[2] === 'manager') {
    const manager = user.managerId === undefined ? undefined : dir.users.get(user.managerId)
    if (manager === undefined) { notFound('manager'); return true }
    sendJson(res, 200, { '@odata.type': '#microsoft.graph.user', ...project(manager, select, url.origin) })
    return true
  }
  // An OData cast on a directory relationship is an advanced query: Graph wants both of these.
  if (req.headers['consistencylevel'] !== 'eventual' || url.searchParams.get('$count') !== 'true') {
    sendJson(res, 400, graphError('Request_UnsupportedQuery', 'OData cast requires ConsistencyLevel: eventual and $count=true.'))
    return true
  }
  const all = transitiveGroups(dir, user)
  const top = Math.min(Number(url.searchParams.get('$top') ?? '100') || 100, 999, dir.pageSize)
  const skip = Number(Buffer.from(url.searchParams.get('$skiptoken') ?? '', 'base64url').toString() || '0')
  const page = all.slice(skip, skip + top)
  const body: Record<string, unknown> = {
    '@odata.context': `${url.origin}/v1.0/$metadata#groups`,
    '@odata.count': all.length,
    value: page.map((g) => ({ '@odata.type': '#microsoft.graph.group', id: g.id, displayName: g.displayName }))
  }
  if (skip + top < all.length) {
    const next = new URL(url.href)
    next.searchParams.set('$skiptoken', Buffer.from(String(skip + top)).toString('base64url'))
    body['@odata.nextLink'] = next.href
  }
  sendJson(res, 200, body)
  return true
}
