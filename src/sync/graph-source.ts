/**
 * Microsoft Graph as a ProviderSource: the user, its manager and its groups as Graph has them now,
 * mapped to Enerflo fields by the same rules as Okta.
 */
import type { GraphClient } from '../graph/client.js'
import { graphSelect, mapGraphUser } from '../mapping/graph.js'
import type { Mapping } from '../mapping/mapping-file.js'
import type { ProviderSource } from './provider.js'

export function createGraphSource (client: GraphClient, mapping: Mapping): ProviderSource {
  const select = graphSelect(mapping)
  return {
    source: 'graph',
    async fetchDesired (userId) {
      const user = await client.getUser(userId, select)
      if (user === null) return { gone: true, result: mapGraphUser(null, null, [], mapping) }
      // Independent reads: ask for both at once to keep the job short.
      const [manager, groups] = await Promise.all([client.getManager(userId), client.listGroupNames(userId)])
      return { gone: false, result: mapGraphUser(user, manager, groups, mapping) }
    }
  }
}
