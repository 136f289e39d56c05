/**
 * Graph's group reads for membership changes: the groups that carry a mapped display name (names
 * are not unique in Entra, so a name can be several groups) and the users in a group, nested
 * groups included (the mapping gives roles through nested groups too). Paged; no retries here.
 */
import { UpstreamError } from '../errors.js'
import { idSegment, isUserId } from '../sync/user-id.js'
import { errorCode, isObject } from './http.js'
import type { Call } from './client.js'

export interface GroupsApi {
  /** Every group whose displayName is exactly `name`. */
  findByName: (name: string) => Promise<Array<{ id: string, displayName: string }>>
  /** The ids of the users in the group, directly or through nested groups; null when Graph has no such group. */
  memberIds: (groupId: string) => Promise<string[] | null>
}

const MAX_PAGES = 1000
/** Entra object ids are GUIDs for groups as for users: the one id rule applies to both. */
export const isGroupId = isUserId

function unexpected (body: unknown, what: string): UpstreamError {
  return new UpstreamError('GRAPH_HTTP', `unexpected answer from Graph ${what}`, { status: 0, body, transient: false })
}

/** Follows @odata.nextLink to the end, handing each page's `value` rows to `row`. */
async function everyPage (call: Call, first: string, what: string, row: (v: Record<string, unknown>) => void, headers: Record<string, string> = {}): Promise<void> {
  const seen = new Set<string>()
  let next: string | undefined = first
  while (next !== undefined) {
    if (seen.has(next) || seen.size >= MAX_PAGES) throw unexpected(undefined, `${what}: the pages do not end`)
    seen.add(next)
    const body: unknown = (await call('GET', next, what, undefined, headers)).body
    if (!isObject(body) || !Array.isArray(body['value'])) throw unexpected(body, what)
    for (const v of body['value'] as unknown[]) if (isObject(v)) row(v)
    const link: unknown = body['@odata.nextLink']
    next = typeof link === 'string' && link !== '' ? link : undefined
  }
}

export function createGroupsApi (call: Call): GroupsApi {
  return {
    async findByName (name) {
      // OData string literals double their single quotes; the whole filter is then URL-encoded.
      const filter = encodeURIComponent(`displayName eq '${name.replaceAll("'", "''")}'`)
      const out: Array<{ id: string, displayName: string }> = []
      await everyPage(call, `/v1.0/groups?$filter=${filter}&$select=id,displayName&$top=999`, 'for GET groups by name', (g) => {
        if (isGroupId(g['id']) && g['displayName'] === name) out.push({ id: g['id'], displayName: name })
      })
      return out
    },

    async memberIds (groupId) {
      const ids: string[] = []
      // Without the OData cast: the cast is an advanced query, served from an index that can lag
      // the change Graph just announced; the plain relationship is current. Rows that are not
      // users (nested groups, devices, contacts) are left out here.
      const first = `/v1.0/groups/${idSegment(groupId)}/transitiveMembers?$select=id&$top=999`
      try {
        await everyPage(call, first, 'for GET group members', (m) => {
          if (/^#microsoft\.graph\.user$/i.test(String(m['@odata.type'] ?? '')) && isUserId(m['id'])) ids.push(m['id'])
        })
      } catch (err) {
        if (err instanceof UpstreamError && err.status === 404 && ['Request_ResourceNotFound', 'ResourceNotFound'].includes(errorCode(err.body) ?? '')) return null
        throw err
      }
      return [...new Set(ids)]
    }
  }
}
