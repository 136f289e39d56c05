/**
 * What a live (not sandbox) start prints once it listens: which providers are on, how it syncs,
 * which mapping file it read and how much of it maps. Only names, counts and addresses without
 * credentials: never a secret, an email or a phone. And when ENERFLO_API_KEY is set but no
 * provider is, a warning that says so and names the variables that turn one on, because such a
 * service starts, answers probes and syncs nothing.
 */
import type { Config } from './config.js'
import type { Mapping } from './mapping/mapping-file.js'
// redisAddress hides a password in any URL, not only Redis's.
import { redisAddress } from './redis-address.js'
import { topologyAddress } from './redis-topology.js'

const OKTA_VARIABLES = 'OKTA_ORG_URL, OKTA_API_TOKEN and OKTA_WEBHOOK_SECRET'
const GRAPH_VARIABLES = 'GRAPH_TENANT_ID, GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET and GRAPH_CLIENT_STATE'

/** Distinct groups, in the file's order: one group may appear once per list. */
const groups = (rows: Array<{ group: string }>): number => new Set(rows.map((r) => r.group)).size

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`

export function startSummary (config: Config, mapping: Mapping, listeningAt: string): string {
  const providers = [
    config.okta !== undefined && `Okta (${redisAddress(config.okta.orgUrl)})`,
    config.graph !== undefined && `Entra ID (tenant ${config.graph.tenantId})`,
    config.scim !== undefined && 'SCIM 2.0 at /scim/v2'
  ].filter((p): p is string => p !== false)
  const mode = config.SYNC_MODE === 'shadow' ? 'shadow (plans and records, never writes to Enerflo)' : 'live (writes to Enerflo)'
  const roleGroups = groups(mapping.roles)
  const officeGroups = groups(mapping.offices)
  return [
    `enerflo-user-sync is running (live deployment) at ${listeningAt}`,
    `  providers: ${providers.length > 0 ? providers.join(', ') : 'none'}`,
    `  sync mode: ${mode}; SERVICE_ROLE ${config.SERVICE_ROLE}; CREATE_USERS ${config.CREATE_USERS}; MATCH_BY_EMAIL ${config.MATCH_BY_EMAIL}`,
    `  Enerflo: ${redisAddress(config.ENERFLO_BASE_URL)}; Redis: ${topologyAddress(config.redis) ?? redisAddress(config.REDIS_URL)} (prefix ${config.QUEUE_PREFIX})`,
    `  mapping file: ${config.MAPPING_FILE}: ${plural(roleGroups, 'group maps', 'groups map')} to roles, ${plural(officeGroups, 'group maps', 'groups map')} to offices`
  ].join('\n') + '\n'
}

/** The warning for a live start with no provider; undefined when one is configured (or in sandbox). */
export function noProviderWarning (config: Config): string | undefined {
  if (config.sandbox || config.okta !== undefined || config.graph !== undefined || config.scim !== undefined) return undefined
  return [
    'WARNING: no identity provider is configured: ENERFLO_API_KEY is set, but no provider (Okta, Entra ID or SCIM) is,',
    '  so this service receives no events and syncs nobody.',
    `  Okta: set ${OKTA_VARIABLES}.`,
    `  Entra ID (Microsoft Graph): set ${GRAPH_VARIABLES}.`,
    '  SCIM provisioning (an Okta SCIM app, Entra automatic provisioning): set SCIM_TOKEN.'
  ].join('\n') + '\n'
}
