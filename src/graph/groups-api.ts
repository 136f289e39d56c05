/**
 * Graph's group reads for membership changes: the groups that carry a mapped display name (names
 * are not unique in Entra, so a name can be several groups) and the users in a group, nested
 * groups included (the mapping gives roles through nested groups too). Paged; no retries here.
 */
import { UpstreamError } from '../errors.js'
import { idSegment, isUserId } from '../sync/user-id.js'
import { errorCode, everyPage, isObject, type Call } from './http.js'

export interface GroupsApi {
  /** Every group whose displayName is exactly `name`. */
  findByName: (name: string) => Promise<Array<{ id: string, displayName: string }>>
  /** The ids of the users in the group, directly or through nested groups; null when Graph has no such group. */
  memberIds: (groupId: string) => Promise<string[] | null>
}

const MAX_PAGES = 1000
/** Entra object ids are GUIDs for groups as for users: the one id rule applies to both. */
export const isGroupId = isUserId

export function createGroupsApi (call: Call): GroupsApi {
  return {
    async findByName (name) {
      // OData string literals double their single quotes; the whole filter is then URL-encoded.
      const filter = encodeURIComponent(`displayName eq '${name.replaceAll("'", "''")}'`)
      const out: Array<{ id: string, displayName: string }> = []
      await everyPage(call, `/v1.0/groups?$filter=${filter}&$select=id,displayName&$top=999`, 'for GET groups by name', MAX_PAGES, (g) => {
        if (isObject(g) && isGroupId(g['id']) && g['displayName'] === name) out.push({ id: g['id'], displayName: name })
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
        await everyPage(call, first, 'for GET group members', MAX_PAGES, (m) => {
          if (isObject(m) && /^#microsoft\.graph\.user$/i.test(String(m['@odata.type'] ?? '')) && isUserId(m['id'])) ids.push(m['id'])
        })
      } catch (err) {
        if (err instanceof UpstreamError && err.status === 404 && ['Request_ResourceNotFound', 'ResourceNotFound'].includes(errorCode(err.body) ?? '')) return null
        throw err
      }
      return [...new Set(ids)]
    }
  }
}
