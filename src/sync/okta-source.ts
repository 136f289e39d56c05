/**
 * Okta as a ProviderSource: the user and its groups from the Users API, mapped to Enerflo fields.
 */
import type { OktaClient } from '../okta/client.js'
import { mapOktaUser } from '../mapping/okta.js'
import type { Mapping } from '../mapping/mapping-file.js'
import type { ProviderSource } from './provider.js'

export function createOktaSource (client: OktaClient, mapping: Mapping): ProviderSource {
  return {
    source: 'okta',
    async fetchDesired (userId) {
      const user = await client.getUser(userId)
      // A deleted user has no groups to ask for; the groups call would only 404.
      const groups = user === null ? [] : await client.listUserGroups(userId)
      return { gone: user === null, result: mapOktaUser(user, groups, mapping) }
    }
  }
}
