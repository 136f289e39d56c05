/**
 * The SCIM store as a ProviderSource: what Okta or Entra last pushed to /scim/v2 about a user, its
 * groups and its manager, mapped to Enerflo fields by the same rules as the other sources. Nothing
 * here calls the provider: the store is the provider's word.
 */
import { mapScimUser } from '../mapping/scim.js'
import { managerId as scimManagerId } from '../scim/user-body.js'
import type { Mapping } from '../mapping/mapping-file.js'
import type { ScimStore } from '../scim/store.js'
import type { ProviderSource } from './provider.js'

export function createScimSource (store: ScimStore, mapping: Mapping): ProviderSource {
  return {
    source: 'scim',
    async fetchDesired (userId) {
      const user = await store.getUser(userId)
      if (user === undefined) return { gone: true, result: mapScimUser(null, undefined, [], mapping) }
      const managerId = scimManagerId(user.attrs)
      const [groups, manager] = await Promise.all([
        store.groupsOf(userId),
        managerId === undefined ? Promise.resolve(undefined) : store.getUser(managerId).then((m) => m?.attrs ?? null)
      ])
      return { gone: false, result: mapScimUser(user.attrs, manager, groups.map((g) => g.displayName), mapping) }
    }
  }
}
