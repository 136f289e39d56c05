/**
 * The environment, read once at start into a typed Config. Nothing else reads process.env.
 * Every problem is collected and reported in one message; secret values never appear in it.
 */
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { SyncError } from './errors.js'
import { GRAPH_INTEGER_NAMES, GRAPH_SECRET_NAMES, GraphEnvProperties, readGraphConfig, type GraphConfig } from './graph/env.js'
import { REDIS_TOPOLOGY_INTEGER_NAMES, RedisTopologyEnvProperties, readRedisTopology, type RedisTopology } from './redis-topology.js'

const Str = Type.String({ minLength: 1 })
const Opt = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Optional(s)
const Url = Type.String({ minLength: 1, pattern: '^https?://' })

export const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' }),
  QUEUE_PREFIX: Type.String({ minLength: 1, pattern: '^[^:\\s]+$', default: 'enerflo-sync' }),
  ...RedisTopologyEnvProperties,
  SERVICE_ROLE: Type.Union([Type.Literal('all'), Type.Literal('api'), Type.Literal('worker')], { default: 'all' }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  ENERFLO_BASE_URL: Type.String({ pattern: '^https?://', default: 'https://enerflo.io' }),
  ENERFLO_API_KEY: Opt(Str),
  ENERFLO_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 300 }),
  ENERFLO_RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 100, default: 60_000 }),
  ENERFLO_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  OKTA_ORG_URL: Type.Optional(Url),
  OKTA_API_TOKEN: Opt(Str),
  OKTA_WEBHOOK_SECRET: Opt(Str),
  OKTA_WEBHOOK_SECRET_PREVIOUS: Opt(Str),
  OKTA_WEBHOOK_HEADER: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9-]+$', default: 'authorization' }),
  // The share of each Okta endpoint's limit this service may use (the org shares it with others).
  OKTA_RATE_LIMIT_FRACTION: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.5 }),
  ...GraphEnvProperties,
  OPS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  // The bearer token Okta's SCIM app or Entra's provisioning sends to /scim/v2 (README "Okta: a SCIM app").
  SCIM_TOKEN: Type.Optional(Type.String({ minLength: 32 })),
  // How often accepted SCIM writes whose sync job was not confirmed are queued (plugins/core/scim-services.ts).
  SCIM_SWEEP_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
  SYNC_MODE: Type.Union([Type.Literal('live'), Type.Literal('shadow')], { default: 'live' }),
  AUDIT_MAX_ENTRIES: Type.Integer({ minimum: 1, maximum: 10_000, default: 50 }),
  AUDIT_MAX_AGE_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 90 }),
  MAPPING_FILE: Type.String({ minLength: 1, default: './mapping.json' }),
  WORKER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 100, default: 4 }),
  JOB_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  JOB_BACKOFF_MS: Type.Integer({ minimum: 10, maximum: 600_000, default: 2000 }),
  WORKER_LOCK_MS: Type.Integer({ minimum: 1000, maximum: 600_000, default: 30_000 }),
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 600_000, default: 30_000 }),
  SANDBOX_SEED_DIR: Type.String({ minLength: 1, default: './sandbox' }),
  MATCH_BY_EMAIL: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'true' }),
  CREATE_USERS: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'false' }),
  CREATE_NOTIFY_EMAIL: Type.Union([Type.Literal('true'), Type.Literal('false')], { default: 'false' }),
  // 0 turns a schedule off. README ("Reconciliation schedules") says why these defaults.
  RECONCILE_INTERVAL_MS: Type.Integer({ minimum: 0, maximum: 7 * 86_400_000, default: 900_000 }),
  RECONCILE_FULL_INTERVAL_MS: Type.Integer({ minimum: 0, maximum: 30 * 86_400_000, default: 86_400_000 }),
  // The brake (README "The brake"): destructive changes counted over this window …
  BRAKE_WINDOW_MS: Type.Integer({ minimum: 1000, maximum: 30 * 24 * 3600 * 1000, default: 3_600_000 }),
  // … are held once they exceed this share of linked users and this absolute number.
  BRAKE_MAX_PERCENT: Type.Integer({ minimum: 0, maximum: 100, default: 10 }),
  BRAKE_MIN_USERS: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 10 }),
  // A role removal Enerflo refuses for attributed leads is tried again this often (README says why 1 h).
  BLOCKED_RETRY_MS: Type.Integer({ minimum: 100, maximum: 7 * 86_400_000, default: 3_600_000 })
}, { additionalProperties: true })

export type Env = Static<typeof EnvSchema>

export interface Config extends Env {
  /** No Enerflo key and no provider credentials: run against the built-in simulator. */
  sandbox: boolean
  okta: { orgUrl: string, apiToken: string } | undefined
  oktaWebhookSecrets: string[]
  /** The SCIM 2.0 server (/scim/v2), on when SCIM_TOKEN is set; sandbox mode makes a token up. */
  scim: { token: string } | undefined
  /** Microsoft Graph (Entra ID), when its variables are set. */
  graph: GraphConfig | undefined
  /** One Redis, a Redis Cluster or Sentinel (src/redis-topology.ts). */
  redis: RedisTopology
}

const SECRET_NAMES = new Set(['ENERFLO_API_KEY', 'OKTA_API_TOKEN', 'OKTA_WEBHOOK_SECRET', 'OKTA_WEBHOOK_SECRET_PREVIOUS', 'OPS_TOKEN', 'METRICS_TOKEN', 'SCIM_TOKEN', ...GRAPH_SECRET_NAMES])
const INTEGER_NAMES = ['PORT', 'ENERFLO_RATE_LIMIT_MAX', 'ENERFLO_RATE_LIMIT_WINDOW_MS', 'ENERFLO_TIMEOUT_MS', 'WORKER_CONCURRENCY', 'JOB_ATTEMPTS', 'JOB_BACKOFF_MS', 'WORKER_LOCK_MS', 'REQUEST_TIMEOUT_MS', 'AUDIT_MAX_ENTRIES', 'AUDIT_MAX_AGE_DAYS', 'BRAKE_WINDOW_MS', 'BRAKE_MAX_PERCENT', 'BRAKE_MIN_USERS', 'RECONCILE_INTERVAL_MS', 'RECONCILE_FULL_INTERVAL_MS', 'BLOCKED_RETRY_MS', 'SCIM_SWEEP_MS', ...GRAPH_INTEGER_NAMES, ...REDIS_TOPOLOGY_INTEGER_NAMES]

const NUMBER_NAMES = ['OKTA_RATE_LIMIT_FRACTION']

/** Reads the variables this service knows; empty strings count as unset. */
function pick (env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(EnvSchema.properties)) {
    const raw = env[key]
    if (raw === undefined || raw.trim() === '') continue
    const v = raw.trim()
    out[key] = (INTEGER_NAMES.includes(key) && /^-?\d+$/.test(v)) || (NUMBER_NAMES.includes(key) && /^-?(\d+\.?\d*|\.\d+)$/.test(v)) ? Number(v) : v
  }
  return out
}

export function loadConfig (env: NodeJS.ProcessEnv = process.env): Config {
  const raw = Value.Default(EnvSchema, pick(env)) as Record<string, unknown>
  const problems: string[] = []
  for (const e of Value.Errors(EnvSchema, raw)) {
    const name = e.path.replace(/^\//, '')
    const shown = SECRET_NAMES.has(name) ? '(hidden)' : JSON.stringify(e.value)
    const choices = (e.schema.anyOf as Array<{ const?: unknown }> | undefined)?.map((s) => JSON.stringify(s.const))
    const message = choices !== undefined ? `must be one of ${choices.join(', ')}` : e.message
    problems.push(`${name}: ${message} (got ${shown})`)
  }
  const env2 = raw as Env
  // What the admin meant to turn on counts, not only what is complete: every missing part of it is
  // reported now, in this one message, rather than one restart at a time.
  const oktaWanted = [env2.OKTA_ORG_URL, env2.OKTA_API_TOKEN, env2.OKTA_WEBHOOK_SECRET].some((v) => v !== undefined)
  if (oktaWanted) {
    if (env2.OKTA_ORG_URL === undefined) problems.push('OKTA_ORG_URL must be set when Okta is configured (your org, e.g. https://acme.okta.com)')
    if (env2.OKTA_API_TOKEN === undefined) problems.push('OKTA_API_TOKEN must be set when Okta is configured (an API token that can read users and groups)')
    if (env2.OKTA_WEBHOOK_SECRET === undefined) problems.push('OKTA_WEBHOOK_SECRET must be set when Okta is configured (the Event Hook authenticates with it)')
  }
  if (env2.OKTA_API_TOKEN !== undefined && /^ssws\s/i.test(env2.OKTA_API_TOKEN)) {
    problems.push('OKTA_API_TOKEN: leave out the "SSWS " prefix; the service adds it (got a value starting with SSWS)')
  }
  const okta = env2.OKTA_ORG_URL !== undefined && env2.OKTA_API_TOKEN !== undefined
    ? { orgUrl: env2.OKTA_ORG_URL.replace(/\/+$/, ''), apiToken: env2.OKTA_API_TOKEN }
    : undefined
  if (env2.OKTA_WEBHOOK_SECRET !== undefined && env2.OKTA_WEBHOOK_SECRET.length < 16) {
    problems.push('OKTA_WEBHOOK_SECRET: must be at least 16 characters (got a shorter one)')
  }
  const { graph, problems: graphProblems } = readGraphConfig(env2)
  problems.push(...graphProblems)
  const { topology, problems: redisProblems } = readRedisTopology(env2)
  problems.push(...redisProblems)
  const graphWanted = GRAPH_SECRET_NAMES.some((n) => (env2 as Record<string, unknown>)[n] !== undefined) || (env2 as Record<string, unknown>)['GRAPH_TENANT_ID'] !== undefined || (env2 as Record<string, unknown>)['GRAPH_CLIENT_ID'] !== undefined
  const scimWanted = (env2 as Record<string, unknown>)['SCIM_TOKEN'] !== undefined
  const sandbox = env2.ENERFLO_API_KEY === undefined && !oktaWanted && !graphWanted && !scimWanted
  // An invalid SERVICE_ROLE is already reported above; saying it again here would list it twice.
  const roleValid = ['all', 'api', 'worker'].includes(env2.SERVICE_ROLE)
  if (sandbox && roleValid && env2.SERVICE_ROLE !== 'all') {
    problems.push(`SERVICE_ROLE: sandbox mode runs the simulator inside one process, so it must be "all" (got "${env2.SERVICE_ROLE}"); set ENERFLO_API_KEY and a provider to split roles`)
  }
  if (!sandbox && env2.ENERFLO_API_KEY === undefined) {
    problems.push('ENERFLO_API_KEY must be set when a provider is configured: the service never syncs real identities into the simulator')
  }
  if (problems.length > 0) {
    throw new SyncError('CONFIG_INVALID', `Invalid configuration:\n  - ${problems.join('\n  - ')}`)
  }
  const secrets = [env2.OKTA_WEBHOOK_SECRET, env2.OKTA_WEBHOOK_SECRET_PREVIOUS].filter((s): s is string => s !== undefined)
  const scim = env2.SCIM_TOKEN !== undefined ? { token: env2.SCIM_TOKEN } : undefined
  return { ...env2, sandbox, okta, oktaWebhookSecrets: secrets, graph, redis: topology, scim }
}
